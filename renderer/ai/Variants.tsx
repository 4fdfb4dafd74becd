/**
 * The results of one AI edit side by side: the one in use is marked, any other can be swapped in
 * with "Use this", which records a `chooseVariant` step (so the swap itself can be undone).
 */
import { useEffect, useState } from 'react';
import type { ImageLayer } from '../../shared/document/model.js';
import type { StepIdentity } from '../../shared/contract/document.js';
import { assetUrl } from '../../shared/contract/bridge.js';
import { useApp, useHostEvent } from '../app/context.js';
import { IdentityBadge } from './IdentityBadge.js';

export function VariantsTray({ projectId, layer, onChoose, busy }: { projectId: number; layer: ImageLayer; onChoose(sha256: string): void; busy: boolean }) {
  const { t, bridge } = useApp();
  const identity = useLayerIdentity(projectId, layer);
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
                {identity?.variants.find((v) => v.sha256 === sha) && <IdentityBadge check={identity.variants.find((v) => v.sha256 === sha)!} />}
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

/**
 * The identity checks of the step that made this AI layer (each variant's faces against the
 * original, and against the characters its prompt named): read with the project, and again when
 * the background check reports.
 */
function useLayerIdentity(projectId: number, layer: ImageLayer): StepIdentity | null {
  const { client } = useApp();
  const [identity, setIdentity] = useState<StepIdentity | null>(null);
  const [checked, setChecked] = useState(0);
  const multiple = (layer.generated?.variants.length ?? 0) > 1;
  useHostEvent((event) => {
    if (event.type === 'identity.checked' && event.projectId === projectId) setChecked((n) => n + 1);
  });
  useEffect(() => {
    if (!multiple) return;
    let live = true;
    client.call('projects.open', { projectId }).then(
      (state) => {
        const made = state.steps.find((s) => s.op.type === 'aiEdit' && s.op.layerId === layer.id);
        if (live) setIdentity(made?.identity ?? null);
      },
      () => {
        if (live) setIdentity(null);
      },
    );
    return () => {
      live = false;
    };
  }, [client, projectId, layer.id, multiple, checked]);
  return identity;
}
