import { useApp } from '../app/context.js';

/** Five stars; with `onChange` each star is a button (clicking the current rating clears it). */
export function Stars({ rating, onChange, size = 'small' }: { rating: number; onChange?: (rating: number) => void; size?: 'small' | 'large' }) {
  const { t } = useApp();
  const label = t('rating.stars', { n: rating });
  if (!onChange) {
    return (
      <span className={`stars stars-${size}`} data-testid="rating-stars" data-rating={rating} aria-label={label} title={label}>
        {[1, 2, 3, 4, 5].map((n) => (
          <span key={n} className={n <= rating ? 'star on' : 'star'} aria-hidden="true">
            ★
          </span>
        ))}
      </span>
    );
  }
  return (
    <span className={`stars stars-${size} editable`} data-testid="rating-stars" data-rating={rating} role="group" aria-label={label}>
      {[1, 2, 3, 4, 5].map((n) => {
        const title = n === rating ? t('rating.clear') : t('rating.set', { n });
        return (
          <button key={n} type="button" className={n <= rating ? 'star on' : 'star'} title={title} aria-label={title} onClick={() => onChange(n === rating ? 0 : n)}>
            ★
          </button>
        );
      })}
    </span>
  );
}
