import { CategoriesDocument, CategoryListingDocument, type CategoryListingQuery, type ProductSort } from '@ecom/schema/generated/operations';
import { useCallback, useEffect, useState } from 'react';
import { Notice, type NoticeState } from '../components/notice.tsx';
import { Price } from '../components/price.tsx';
import { ProductTile } from '../components/product-tile.tsx';
import { Stock } from '../components/stock.tsx';
import { faultMessage } from '../errors.ts';
import { execute } from '../graphql/client.ts';
import { fieldIssues, type FieldIssue } from '../graphql/partial-success.ts';
import { href } from '../router.ts';

export const PAGE_SIZE = 48;
const SORTS: { value: ProductSort; label: string }[] = [
  { value: 'NEWEST', label: 'Newest' },
  { value: 'BEST_SELLING', label: 'Best selling' },
  { value: 'TITLE', label: 'Name' },
];

type Products = CategoryListingQuery['products'];

export function ListingPage() {
  const [categories, setCategories] = useState<{ id: string; name: string }[]>([]);
  const [categoryId, setCategoryId] = useState('');
  const [sort, setSort] = useState<ProductSort>('NEWEST');
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  // Cursor paging: the cursors of the pages before this one, so "Previous" can go back.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [products, setProducts] = useState<Products>();
  const [issues, setIssues] = useState<Map<string, FieldIssue>>(new Map());
  const [notice, setNotice] = useState<NoticeState>();
  const [loading, setLoading] = useState(false);
  const after = cursors.at(-1);

  useEffect(() => {
    void execute(CategoriesDocument, {}).then((answer) => answer.kind === 'data' && setCategories(answer.data.categories));
  }, []);

  const load = useCallback(async () => {
    setLoading(true);
    const filter = { categoryId: categoryId || undefined, search: query || undefined };
    const answer = await execute(CategoryListingDocument, { filter, sort, first: PAGE_SIZE, after });
    setLoading(false);
    if (answer.kind === 'failed') return setNotice({ tone: 'error', text: faultMessage(answer.errors), requestId: answer.requestId });
    setProducts(answer.data.products);
    const found = fieldIssues(answer.errors);
    setIssues(found);
    setNotice(found.size > 0 ? { tone: 'info', text: partialText(found), requestId: answer.requestId } : undefined);
  }, [categoryId, sort, query, after]);

  useEffect(() => {
    void load();
  }, [load]);

  const restart = () => setCursors([undefined]);
  const page = cursors.length;
  return (
    <section>
      <h1>Shop</h1>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(search.trim());
          restart();
        }}
      >
        <label>
          Category
          <select name="category" value={categoryId} onChange={(e) => (setCategoryId(e.target.value), restart())}>
            <option value="">All categories</option>
            {categories.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Sort
          <select name="sort" value={sort} onChange={(e) => (setSort(e.target.value as ProductSort), restart())}>
            {SORTS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Search
          <input name="search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="e.g. kettle" />
        </label>
        <button type="submit">Search</button>
      </form>
      <Notice notice={notice} />
      {products && (
        <>
          <p className="count" data-testid="result-count">
            {products.totalCount} products · page {page}
            {loading && ' · loading…'}
          </p>
          <ul className="grid" data-testid="product-grid">
            {products.edges.map(({ node }) => (
              <li key={node.id} className="card" data-testid="product-card" data-product-id={node.id}>
                <a href={href({ page: 'product', id: node.id })}>
                  <ProductTile title={node.title} />
                  <span className="card-title">{node.title}</span>
                </a>
                <span className="shop">{node.shop.name}</span>
                <Price min={node.priceRange?.min} max={node.priceRange?.max} issue={issues.get('priceRange')} onRetry={() => void load()} />
                <Stock stock={node.availability} />
                {node.badges && (
                  <span className="badges">
                    {node.badges.map((b) => (
                      <span key={b.kind} className="badge">
                        {b.label}
                      </span>
                    ))}
                    {node.badges.length > 0 && issues.get('badges')?.stale && <span className="stale"> (may be out of date)</span>}
                  </span>
                )}
              </li>
            ))}
          </ul>
          <nav className="pager">
            <button type="button" disabled={page === 1 || loading} onClick={() => setCursors(cursors.slice(0, -1))}>
              Previous
            </button>
            <button
              type="button"
              disabled={!products.pageInfo.hasNextPage || loading}
              onClick={() => setCursors([...cursors, products.pageInfo.endCursor ?? undefined])}
            >
              Next
            </button>
          </nav>
        </>
      )}
    </section>
  );
}

const FIELD_WORDS: Record<string, string> = { priceRange: 'Prices', availability: 'Stock levels', badges: 'Badges' };

/** What is missing or old in this answer, in words. */
function partialText(issues: Map<string, FieldIssue>): string {
  return [...issues.entries()]
    .map(([field, issue]) => `${FIELD_WORDS[field] ?? field} ${issue.stale ? 'may be out of date' : 'are unavailable right now'}.`)
    .join(' ');
}
