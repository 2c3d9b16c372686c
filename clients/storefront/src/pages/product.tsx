import { ProductDetailDocument, type ProductDetailQuery } from '@ecom/schema/generated/operations';
import { useCallback, useEffect, useState } from 'react';
import { useCart } from '../cart/cart-store.tsx';
import { Notice, type NoticeState } from '../components/notice.tsx';
import { Price } from '../components/price.tsx';
import { ProductTile } from '../components/product-tile.tsx';
import { Stock } from '../components/stock.tsx';
import { faultMessage } from '../errors.ts';
import { execute } from '../graphql/client.ts';
import { fieldIssues, type FieldIssue } from '../graphql/partial-success.ts';
import { formatMoney } from '../money.ts';
import { href } from '../router.ts';

type Product = NonNullable<ProductDetailQuery['product']>;

export function ProductPage({ id }: { id: string }) {
  const cart = useCart();
  const [product, setProduct] = useState<Product | null>();
  const [issues, setIssues] = useState<Map<string, FieldIssue>>(new Map());
  const [notice, setNotice] = useState<NoticeState>();
  const [variantId, setVariantId] = useState<string>();
  const [quantity, setQuantity] = useState(1);
  const [added, setAdded] = useState<string>();

  const load = useCallback(async () => {
    const answer = await execute(ProductDetailDocument, { id });
    if (answer.kind === 'failed') return setNotice({ tone: 'error', text: faultMessage(answer.errors), requestId: answer.requestId });
    setProduct(answer.data.product);
    setIssues(fieldIssues(answer.errors));
    setNotice(answer.errors.length > 0 ? { tone: 'info', text: 'Some details are unavailable right now.', requestId: answer.requestId } : undefined);
    setVariantId(
      (v) => v ?? answer.data.product?.variants.find((x) => x.stock?.status !== 'OUT_OF_STOCK')?.id ?? answer.data.product?.variants[0]?.id,
    );
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);

  if (product === null)
    return (
      <p>
        We couldn't find that product. <a href={href({ page: 'listing' })}>Back to the shop</a>
      </p>
    );
  if (product === undefined) return <Notice notice={notice ?? { tone: 'info', text: 'Loading…' }} />;
  const variant = product.variants.find((v) => v.id === variantId);
  const soldOut = variant?.stock?.status === 'OUT_OF_STOCK';

  async function add() {
    if (!variant) return;
    setAdded(undefined);
    if (await cart.add(variant.id, quantity)) setAdded(`Added ${quantity} × ${product!.title} (${variant.title}) to your cart.`);
  }

  return (
    <article className="product">
      <ProductTile title={product.title} />
      <div>
        <h1>{product.title}</h1>
        <p className="shop">
          Sold by {product.shop.name} · {product.category.name}
        </p>
        <p>{product.description}</p>
        <Notice notice={notice} />
        {product.badges?.map((b) => (
          <span key={b.kind} className="badge">
            {b.label}
          </span>
        ))}
        {product.promotions?.map((p) => (
          <p key={p.id} className="promotion">
            {p.title}: {p.description}
          </p>
        ))}
        <fieldset className="variants">
          <legend>Choose</legend>
          {product.variants.map((v) => (
            <label key={v.id} className="variant">
              <input type="radio" name="variant" value={v.id} checked={v.id === variantId} onChange={() => setVariantId(v.id)} />
              {v.title} · <Price min={v.price} issue={issues.get('price')} onRetry={() => void load()} />
              {v.compareAtPrice && v.price && v.compareAtPrice.amount > v.price.amount && (
                <s className="compare">{formatMoney(v.compareAtPrice)}</s>
              )}{' '}
              · <Stock stock={v.stock} />
            </label>
          ))}
        </fieldset>
        <label>
          Quantity{' '}
          <input
            type="number"
            name="quantity"
            min={1}
            max={99}
            value={quantity}
            onChange={(e) => setQuantity(Math.max(1, Math.min(99, Number(e.target.value) || 1)))}
          />
        </label>
        <button type="button" className="primary" disabled={!variant || soldOut} onClick={() => void add()}>
          {soldOut ? 'Out of stock' : 'Add to cart'}
        </button>
        <Notice notice={cart.notice} />
        {added && (
          <p role="status" data-testid="added">
            {added} <a href={href({ page: 'cart' })}>View cart</a>
          </p>
        )}
      </div>
    </article>
  );
}
