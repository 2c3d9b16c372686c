import {
  AddToCartDocument,
  ApplyCouponDocument,
  CartDocument,
  MergeCartDocument,
  RemoveCartLineDocument,
  UpdateCartLineDocument,
  type CartFieldsFragment,
} from '@ecom/schema/generated/operations';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { NoticeState } from '../components/notice.tsx';
import { domainMessage, faultMessage, type TypedError } from '../errors.ts';
import { execute } from '../graphql/client.ts';
import { runAction } from '../graphql/run-action.ts';
import { ActionKey } from '../idempotency.ts';
import { useSession } from '../use-session.ts';

type CartResult = ({ __typename: 'Cart' } & CartFieldsFragment) | (TypedError & { currentVersion?: number });

export interface CartApi {
  cart: CartFieldsFragment | undefined;
  notice: NoticeState | undefined;
  busy: boolean;
  add(variantId: string, quantity: number): Promise<boolean>;
  updateLine(lineId: string, quantity: number): Promise<void>;
  removeLine(lineId: string): Promise<void>;
  applyCoupon(code: string): Promise<void>;
  refresh(): Promise<void>;
  /** After an order took the cart's lines. */
  forget(): void;
  clearNotice(): void;
}

const CartContext = createContext<CartApi | undefined>(undefined);
const storageKey = (userId: string | undefined) => `storefront.cart.${userId ?? 'anonymous'}`;

export function CartProvider({ children }: { children: ReactNode }) {
  const signedIn = useSession();
  const userId = signedIn?.userId;
  const [cart, setCart] = useState<CartFieldsFragment>();
  const [notice, setNotice] = useState<NoticeState>();
  const [busy, setBusy] = useState(false);
  // Cart changes run one after another: the second of two quick adds must see the cart the first made.
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const cartRef = useRef<CartFieldsFragment | undefined>(undefined);
  cartRef.current = cart;

  const keep = useCallback(
    (next: CartFieldsFragment | undefined) => {
      setCart(next);
      cartRef.current = next;
      if (next) localStorage.setItem(storageKey(userId), next.id);
      else localStorage.removeItem(storageKey(userId));
    },
    [userId],
  );

  const refresh = useCallback(async () => {
    const id = cartRef.current?.id ?? localStorage.getItem(storageKey(userId));
    if (!id) return keep(undefined);
    const answer = await execute(CartDocument, { id });
    if (answer.kind === 'failed') return setNotice({ tone: 'error', text: faultMessage(answer.errors), requestId: answer.requestId });
    keep(answer.data.cart ?? undefined);
  }, [keep, userId]);

  const pending = useRef(0);
  const serial = useCallback(<T,>(task: () => Promise<T>): Promise<T> => {
    pending.current += 1;
    setBusy(true);
    const next = queue.current.then(task, task);
    queue.current = next.catch(() => undefined);
    return next.finally(() => {
      pending.current -= 1;
      if (pending.current === 0) setBusy(false);
    });
  }, []);

  /** One cart mutation for one user action: a typed outcome becomes the cart or a message. */
  const change = useCallback(
    async <TData, TVariables>(
      document: TypedDocumentNode<TData, TVariables>,
      field: keyof TData,
      variables: (key: string, cart: CartFieldsFragment | undefined) => TVariables,
      key = new ActionKey(),
    ): Promise<boolean> => {
      const answer = await runAction(document, field, key, (k) => variables(k, cartRef.current));
      if (answer.kind === 'failed') {
        setNotice({ tone: 'error', text: faultMessage(answer.errors), requestId: answer.requestId });
        return false;
      }
      const result = answer.data[field] as CartResult;
      if (result.__typename === 'Cart') {
        keep(result);
        setNotice(undefined);
        return true;
      }
      if (result.__typename === 'VersionConflictError') await refresh();
      setNotice({ tone: 'error', text: domainMessage(result), requestId: answer.requestId });
      return false;
    },
    [keep, refresh],
  );

  useEffect(() => {
    cartRef.current = undefined;
    setCart(undefined);
    void serial(async () => {
      const anonymous = localStorage.getItem(storageKey(undefined));
      if (userId && anonymous) {
        // Signing in keeps what was added before: the anonymous cart's lines move into the user's cart.
        const merged = await change(MergeCartDocument, 'mergeCart', (idempotencyKey) => ({ input: { anonymousCartId: anonymous, idempotencyKey } }));
        if (merged) localStorage.removeItem(storageKey(undefined));
        return;
      }
      await refresh();
    });
  }, [userId, serial, change, refresh]);

  const api = useMemo<CartApi>(
    () => ({
      cart,
      notice,
      busy,
      add: (variantId, quantity) =>
        serial(() =>
          change(AddToCartDocument, 'addToCart', (idempotencyKey, current) => ({
            input: { cartId: current?.id, variantId, quantity, idempotencyKey },
          })),
        ),
      updateLine: (lineId, quantity) =>
        serial(async () => {
          await change(UpdateCartLineDocument, 'updateCartLine', (idempotencyKey, current) => ({
            input: { cartId: current!.id, lineId, quantity, expectedVersion: current!.version, idempotencyKey },
          }));
        }),
      removeLine: (lineId) =>
        serial(async () => {
          await change(RemoveCartLineDocument, 'removeCartLine', (idempotencyKey, current) => ({
            input: { cartId: current!.id, lineId, expectedVersion: current!.version, idempotencyKey },
          }));
        }),
      applyCoupon: (code) =>
        serial(async () => {
          await change(ApplyCouponDocument, 'applyCoupon', (idempotencyKey, current) => ({ input: { cartId: current!.id, code, idempotencyKey } }));
        }),
      refresh: () => serial(refresh),
      forget: () => keep(undefined),
      clearNotice: () => setNotice(undefined),
    }),
    [cart, notice, busy, serial, change, refresh, keep],
  );
  return <CartContext.Provider value={api}>{children}</CartContext.Provider>;
}

export function useCart(): CartApi {
  const api = useContext(CartContext);
  if (!api) throw new Error('useCart outside CartProvider');
  return api;
}
