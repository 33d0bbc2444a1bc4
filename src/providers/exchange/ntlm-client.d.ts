// The subset of @ewsjs/ntlm-client Mailroom uses (the package ships no types).
declare module '@ewsjs/ntlm-client' {
  export interface Type2Message {
    readonly flags: number;
    readonly targetName: string;
  }
  const ntlm: {
    /** "NTLM <base64>" for the Authorization header. */
    createType1Message(workstation?: string, target?: string): string;
    /** Reads the server's challenge from the WWW-Authenticate header value. */
    decodeType2Message(header: string): Type2Message;
    createType3Message(type2: Type2Message, username: string, password: string, workstation?: string, target?: string): string;
  };
  export default ntlm;
}
