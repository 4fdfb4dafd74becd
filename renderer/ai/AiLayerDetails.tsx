/** What an AI layer says about itself in the layers panel: who made it, from what, for how much. */
import type { ImageLayer } from '../../shared/document/model.js';
import { useApp } from '../app/context.js';
import { formatUsd } from './engine.js';

export function AiLayerDetails({ layer }: { layer: ImageLayer }) {
  const { t } = useApp();
  const generated = layer.generated;
  if (!generated) return null;
  const gemini = generated.provider === 'gemini';
  return (
    <div className="ai-details" data-testid="ai-details" data-provider={generated.provider}>
      <h3 className="sub-title">{t('ai.details.title')}</h3>
      <dl className="ai-facts">
        <dt>{t('ai.details.provider')}</dt>
        <dd data-testid="ai-details-provider">{gemini ? t('ai.engine.gemini') : t('ai.engine.local')}</dd>
        {gemini && (
          <>
            <dt>{t('ai.details.model')}</dt>
            <dd data-testid="ai-details-model">{generated.model}</dd>
          </>
        )}
        <dt>{t('ai.details.prompt')}</dt>
        <dd className="ai-prompt" data-testid="ai-details-prompt">
          “{generated.prompt}”
        </dd>
        <dt>{t('ai.details.cost')}</dt>
        <dd data-testid="ai-details-cost">{generated.costUsd > 0 ? formatUsd(generated.costUsd) : gemini ? t('ai.details.cached') : t('ai.details.free')}</dd>
        {generated.references.length > 0 && (
          <>
            <dt>{t('ai.details.references')}</dt>
            <dd>{generated.references.length}</dd>
          </>
        )}
        {generated.variants.length > 1 && (
          <>
            <dt>{t('ai.details.variants')}</dt>
            <dd>{t('ai.details.variantsValue', { n: generated.variants.indexOf(layer.sha256) + 1, total: generated.variants.length })}</dd>
          </>
        )}
      </dl>
      {gemini && (
        <p className="panel-hint synthid-note" data-testid="synthid-note">
          {t('ai.details.synthId')}
        </p>
      )}
    </div>
  );
}
