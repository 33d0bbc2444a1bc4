import { api } from './client.ts';

/**
 * PUT: replaces a template or a workflow definition. api() hands its method to fetch as given;
 * its type lists only the methods the other pages use, hence the one cast here.
 */
export const replace = <T>(path: string, body: unknown) => api<T>('PUT' as 'POST', path, body);
