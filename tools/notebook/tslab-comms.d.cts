export interface CommMessage {
  identities: Buffer[];
  header: { msg_type: string; session?: string; username?: string; [key: string]: unknown };
  content: { comm_id?: string; [key: string]: unknown };
}
export declare function readCommMessage(key: string, frames: Buffer[]): CommMessage | undefined;
export declare function installQuietComms(tslabDist: string): void;
