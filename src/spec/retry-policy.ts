/**
 * Retry conditions that never repeat a request the upstream may have processed: the connection
 * was never made (connect-failure), or the upstream refused the HTTP/2 stream before reading it
 * (refused-stream). Safe for POST and every other method. Istio's own default when a
 * VirtualService sets no retries also retries 503 responses (retriable-status-codes), which a
 * server may send after committing a write; so the generated routes always set retries.
 * Pure data: the schema's default and the mesh constructs' default are this one value.
 */
export const SAFE_RETRY_ON = 'connect-failure,refused-stream';
