/**
 * The results of one AI edit side by side: the one in use is marked, any other can be swapped in
 * with "Use this", which records a `chooseVariant` step (so the swap itself can be undone).
 */
import type { ImageLayer } from '../../shared/document/model.js';
import { assetUrl } from '../../shared/contract/bridge.js';
import { useApp } from '../app/context.js';

export function VariantsTray({ layer, onChoose, busy }: { layer: ImageLayer; onChoose(sha256: string): void; busy: boolean }) {
  const { t, bridge } = useApp();
  const generated = layer.generated;
  if (!generated || generated.variants.length < 2) return null;
  return (
    <section className="variants-tray" data-testid="variants-tray" data-layer-id={layer.id} aria-label={t('ai.variants.title')}>
      <div className="variants-head">
        <span className="sub-title">{t('ai.variants.title')}</span>
        <span className="muted small variants-prompt" title={generated.prompt}>
          “{generated.prompt}”
        </span>
      </div>
      <div className="variants-row">
        {generated.variants.map((sha, index) => {
          const inUse = sha === layer.sha256;
          return (
            <figure key={sha} className={'variant' + (inUse ? ' in-use' : '')} data-testid="variant-item" data-sha={sha} data-in-use={inUse}>
              <div className="variant-picture">
                <img src={assetUrl(bridge.host, sha, 'original')} alt={t('ai.variants.result', { n: index + 1 })} draggable={false} />
              </div>
              <figcaption>
                <span>{t('ai.variants.result', { n: index + 1 })}</span>
                {inUse ? (
                  <span className="variant-badge">{t('ai.variants.inUse')}</span>
                ) : (
                  <button className="button small" data-testid="variant-use" disabled={busy} onClick={() => onChoose(sha)}>
                    {t('ai.variants.use')}
                  </button>
                )}
              </figcaption>
            </figure>
          );
        })}
      </div>
    </section>
  );
}
