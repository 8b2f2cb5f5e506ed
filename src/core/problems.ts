/** Why an Environment cannot be synced as asked: a condition reason and a message for status. */
export interface Problem {
  reason: string;
  message: string;
}
