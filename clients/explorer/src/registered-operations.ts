import manifest from '@ecom/schema/manifest';
import { stripIgnoredCharacters } from 'graphql';

/** One entry of the persisted query manifest (`schema/operations/manifest.json`), bundled at build time. */
export interface RegisteredOperation {
  id: string;
  name: string;
  type: string;
  body: string;
  clientName?: string;
}

/** Each registered operation once (ios and android register the same bodies), web first. */
export const REGISTERED: RegisteredOperation[] = [...new Map((manifest.operations as RegisteredOperation[]).map((op) => [op.id, op])).values()].sort(
  (a, b) => Number(b.clientName === 'web') - Number(a.clientName === 'web'),
);

/** Variables to start from, so the first click on Run answers something. */
const EXAMPLE_VARIABLES: Record<string, Record<string, unknown>> = {
  CategoryListing: { first: 12, sort: 'NEWEST' },
  ProductDetail: { id: 'prod-001' },
  MobileListing: { first: 12 },
  MyOrders: { first: 10 },
  Cart: { id: 'paste-a-cart-id' },
  Order: { id: 'paste-an-order-id' },
};

/** A first add without a cart or a sign-in needs a random key (128 bits): a fresh UUID per page load. */
const exampleVariables = (name: string): Record<string, unknown> =>
  name === 'AddToCart' || name === 'MobileAddToCart'
    ? { input: { variantId: 'var-001-1', quantity: 1, idempotencyKey: crypto.randomUUID() } }
    : (EXAMPLE_VARIABLES[name] ?? {});

/** The tabs GraphiQL opens with: CategoryListing first, then every other registered operation. */
export function registeredTabs(): { query: string; variables: string }[] {
  const ordered = [...REGISTERED].sort((a, b) => Number(b.name === 'CategoryListing') - Number(a.name === 'CategoryListing'));
  return ordered.map((op) => ({ query: op.body, variables: JSON.stringify(exampleVariables(op.name), null, 2) }));
}

function shapeOf(text: string): string | undefined {
  try {
    return stripIgnoredCharacters(text);
  } catch {
    return undefined;
  }
}

const byShape = new Map(REGISTERED.map((op) => [shapeOf(op.body), op]));

/** The registered operation this text is (whitespace and comments aside), if any. */
export function registeredFor(text: string): RegisteredOperation | undefined {
  const shape = shapeOf(text);
  return shape === undefined ? undefined : byShape.get(shape);
}
