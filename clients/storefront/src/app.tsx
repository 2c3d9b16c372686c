import { CartProvider, useCart } from './cart/cart-store.tsx';
import { SignIn } from './components/sign-in.tsx';
import { CartPage } from './pages/cart.tsx';
import { CheckoutPage } from './pages/checkout.tsx';
import { ListingPage } from './pages/listing.tsx';
import { OrderPage } from './pages/order.tsx';
import { OrdersPage } from './pages/orders.tsx';
import { ProductPage } from './pages/product.tsx';
import { href, useRoute, type Route } from './router.ts';

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'listing':
      return <ListingPage />;
    case 'product':
      return <ProductPage key={route.id} id={route.id} />;
    case 'cart':
      return <CartPage />;
    case 'checkout':
      return <CheckoutPage />;
    case 'order':
      return <OrderPage key={route.id} id={route.id} />;
    case 'orders':
      return <OrdersPage />;
  }
}

function Header() {
  const cart = useCart();
  const count = cart.cart?.lines.reduce((n, l) => n + l.quantity, 0) ?? 0;
  return (
    <header className="top">
      <a className="brand" href={href({ page: 'listing' })}>
        ecom
      </a>
      <nav>
        <a href={href({ page: 'listing' })}>Shop</a>
        <a href={href({ page: 'cart' })} data-testid="cart-link">
          Cart ({count})
        </a>
        <a href={href({ page: 'orders' })}>My orders</a>
      </nav>
      <SignIn />
    </header>
  );
}

export function App() {
  const route = useRoute();
  return (
    <CartProvider>
      <Header />
      <main>
        <Page route={route} />
      </main>
    </CartProvider>
  );
}
