import { randomBytes } from 'node:crypto';

/** 144 random bits: an anonymous cart's id is its only credential. */
export const newCartId = () => `cart_${randomBytes(18).toString('base64url')}`;
export const newLineId = () => `line_${randomBytes(12).toString('base64url')}`;
