/**
 * Model names are a token of NATS subjects (`mlops.predictions.<model>`), so the registry's rule
 * applies here too: letters, digits, `_` and `-`, starting with a letter or digit.
 */
export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
export const MODEL_NAME_EXPECTED = 'a model name of 1-128 letters, digits, "_" or "-", starting with a letter or digit';

/** Variant names are hashed for sticky assignment and appear in metrics labels. */
export const VARIANT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const VARIANT_NAME_EXPECTED = 'a variant name of 1-64 letters, digits, "_" or "-", starting with a letter or digit';
