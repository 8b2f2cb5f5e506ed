/** Log paths that could hold a secret: the signature and any secret a caller puts in a log object. */
export const REDACT_PATHS = ['req.headers["x-hub-signature-256"]', 'headers["x-hub-signature-256"]', 'secret', '*.secret', 'secrets', '*.secrets'];
