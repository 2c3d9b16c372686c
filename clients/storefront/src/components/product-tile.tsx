/**
 * A placeholder in place of the product image: the seed catalog's image URLs point at an image CDN
 * outside this graph, and the storefront loads nothing from any host but its own.
 */
export function ProductTile({ title }: { title: string }) {
  const hue = [...title].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 7);
  const initials = title
    .split(/\s+/)
    .slice(0, 2)
    .map((w) => w[0])
    .join('');
  return (
    <div className="tile" style={{ background: `hsl(${hue} 45% 85%)` }} aria-hidden="true">
      {initials}
    </div>
  );
}
