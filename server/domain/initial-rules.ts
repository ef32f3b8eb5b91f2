/**
 * The reason stored with the rules a new campus starts from (version 1); the office's screens word it
 * in the reader's language. Its own module: the admin bundle imports it without the rules' schema.
 */
export const INITIAL_RULES_REASON = 'initial defaults';
