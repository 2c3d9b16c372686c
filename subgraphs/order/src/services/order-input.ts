import { domainError } from '@ecom/platform/errors';
import type { AddressSnapshot } from '../db/schema.ts';
import type { Invalid } from './order-errors.ts';

export interface AddressInput {
  name: string;
  line1: string;
  line2?: string | null;
  city: string;
  postalCode: string;
  country: string;
  phone?: string | null;
}

export interface PlaceOrderInput {
  cartId: string;
  shippingAddress: AddressInput;
  expectedTotal?: { amount: number; currency: string } | null;
  idempotencyKey: string;
}

export interface PayOrderInput {
  orderId: string;
  paymentToken: string;
  idempotencyKey: string;
}

export interface CancelOrderInput {
  orderId: string;
  reason?: string | null;
  idempotencyKey: string;
}

const invalid = (field: string, message: string): Invalid => domainError('ValidationError', message, { field });

const ID = /^[\x21-\x7e]{1,255}$/;
const ADDRESS_LIMITS: { key: keyof AddressInput; label: string; max: number; required: boolean }[] = [
  { key: 'name', label: 'Recipient name', max: 100, required: true },
  { key: 'line1', label: 'Address line 1', max: 200, required: true },
  { key: 'line2', label: 'Address line 2', max: 200, required: false },
  { key: 'city', label: 'City', max: 100, required: true },
  { key: 'postalCode', label: 'Postal code', max: 20, required: true },
  { key: 'phone', label: 'Phone', max: 32, required: false },
];

function checkId(value: string, field: string, what: string): Invalid | null {
  return ID.test(value) ? null : invalid(field, `${what} is missing or malformed. Check it and try again.`);
}

function checkAddress(address: AddressInput): Invalid | null {
  for (const { key, label, max, required } of ADDRESS_LIMITS) {
    const value = address[key];
    const field = `input.shippingAddress.${key}`;
    if (value === undefined || value === null) {
      if (required) return invalid(field, `${label} is required.`);
      continue;
    }
    if (required && value.trim().length === 0) return invalid(field, `${label} is required.`);
    if (value.length > max) return invalid(field, `${label} may be at most ${max} characters.`);
  }
  if (address.phone && !/^[0-9+()\- ]+$/.test(address.phone)) {
    return invalid('input.shippingAddress.phone', 'Phone may contain only digits, spaces and + ( ) -.');
  }
  if (!/^[A-Z]{2}$/.test(address.country)) {
    return invalid('input.shippingAddress.country', 'Country must be a two-letter ISO 3166-1 code in capitals, e.g. CN.');
  }
  return null;
}

export function validatePlaceOrder(input: PlaceOrderInput): Invalid | null {
  const cart = checkId(input.cartId, 'input.cartId', 'The cart id');
  if (cart) return cart;
  const address = checkAddress(input.shippingAddress);
  if (address) return address;
  const expected = input.expectedTotal;
  if (expected) {
    if (!Number.isSafeInteger(expected.amount) || expected.amount < 0) {
      return invalid('input.expectedTotal.amount', 'expectedTotal.amount must be a non-negative whole number of minor units.');
    }
    if (!/^[A-Z]{3}$/.test(expected.currency)) {
      return invalid('input.expectedTotal.currency', 'expectedTotal.currency must be a three-letter ISO 4217 code, e.g. CNY.');
    }
  }
  return null;
}

export function validatePayOrder(input: PayOrderInput): Invalid | null {
  return (
    checkId(input.orderId, 'input.orderId', 'The order id') ??
    (/^[\x20-\x7e]{1,255}$/.test(input.paymentToken) ? null : invalid('input.paymentToken', 'The payment token is missing or malformed.'))
  );
}

export function validateCancelOrder(input: CancelOrderInput): Invalid | null {
  const id = checkId(input.orderId, 'input.orderId', 'The order id');
  if (id) return id;
  if (input.reason && input.reason.length > 500) return invalid('input.reason', 'The reason may be at most 500 characters.');
  return null;
}

export function addressSnapshot(address: AddressInput): AddressSnapshot {
  return {
    name: address.name.trim(),
    line1: address.line1.trim(),
    line2: address.line2?.trim() || null,
    city: address.city.trim(),
    postalCode: address.postalCode.trim(),
    country: address.country,
    phone: address.phone?.trim() || null,
  };
}
