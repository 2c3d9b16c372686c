import { useSyncExternalStore } from 'react';

/** Hash routes (`#/product/prod-001`): the static bundle needs no server-side routing. */
export type Route =
  | { page: 'listing' }
  | { page: 'product'; id: string }
  | { page: 'cart' }
  | { page: 'checkout' }
  | { page: 'order'; id: string }
  | { page: 'orders' };

export function parseRoute(hash: string): Route {
  const [, page, id] = hash.replace(/^#/, '').split('/');
  if (page === 'product' && id) return { page: 'product', id: decodeURIComponent(id) };
  if (page === 'order' && id) return { page: 'order', id: decodeURIComponent(id) };
  if (page === 'cart' || page === 'checkout' || page === 'orders') return { page };
  return { page: 'listing' };
}

export const href = (route: Route): string =>
  route.page === 'listing' ? '#/' : 'id' in route ? `#/${route.page}/${encodeURIComponent(route.id)}` : `#/${route.page}`;

export function navigate(route: Route): void {
  window.location.hash = href(route);
}

const subscribe = (listener: () => void) => {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
};

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseRoute(hash);
}
