import { XMLParser } from 'fast-xml-parser';
import { MailroomError } from '../../errors.ts';
import { escapeXml } from './ews-soap.ts';
import type { EwsTransport } from './ews-transport.ts';

const REQUEST_SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006';
const RESPONSE_SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';

/** The POX Autodiscover endpoints for an address, in the order Outlook tries them. */
export function autodiscoverCandidates(address: string, configured: string): string[] {
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  return [
    ...(configured ? [configured] : []),
    `https://${domain}/autodiscover/autodiscover.xml`,
    `https://autodiscover.${domain}/autodiscover/autodiscover.xml`,
  ];
}

const parser = new XMLParser({ removeNSPrefix: true, parseTagValue: false });

/** Asks each Autodiscover endpoint for the address's EWS URL (the EXCH protocol, else EXPR). */
export async function discoverEwsUrl(address: string, configured: string, transport: EwsTransport): Promise<string> {
  const body = `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="${REQUEST_SCHEMA}"><Request>` +
    `<EMailAddress>${escapeXml(address)}</EMailAddress><AcceptableResponseSchema>${RESPONSE_SCHEMA}</AcceptableResponseSchema>` +
    `</Request></Autodiscover>`;
  const tried: string[] = [];
  for (const url of autodiscoverCandidates(address, configured)) {
    try {
      const answer = await transport.post(url, body);
      const ewsUrl = answer.status === 200 ? ewsUrlOf(answer.body) : undefined;
      if (ewsUrl) return ewsUrl;
      tried.push(`${url}: ${answer.status} ${answer.statusText}${answer.status === 200 ? ' without an EWS URL' : ''}`);
    } catch (err) {
      tried.push(`${url}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  throw new MailroomError('EXCHANGE_AUTODISCOVER_FAILED', { response: tried.join('; '), command: 'Autodiscover', details: { address, tried } });
}

type Protocol = { Type?: string; EwsUrl?: string };

function ewsUrlOf(xml: string): string | undefined {
  try {
    const account = (parser.parse(xml) as { Autodiscover?: { Response?: { Account?: { Protocol?: Protocol | Protocol[] } } } })
      .Autodiscover?.Response?.Account;
    const protocols = [account?.Protocol ?? []].flat();
    return (protocols.find((p) => p.Type === 'EXCH') ?? protocols.find((p) => p.Type === 'EXPR'))?.EwsUrl || undefined;
  } catch {
    return undefined;
  }
}
