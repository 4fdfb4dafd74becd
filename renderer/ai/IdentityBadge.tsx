/**
 * The identity check of a step, as a small badge: "Same person 0.32" / "Identity changed 0.81"
 * (face descriptor distance; below 0.6 is the same person), and how like each `@Name` character
 * the result is. The check runs in the main process after the step is committed; its
 * `identity.checked` event updates the badge without reloading the project.
 */
import { useState } from 'react';
import type { CharacterConsistency, IdentityCheck, IdentityVerdict, StepIdentity } from '../../shared/contract/document.js';
import type { Step } from '../../shared/document/model.js';
import type { MessageKey } from '../../shared/i18n/index.js';
import { useApp, useHostEvent } from '../app/context.js';

const VERDICT_KEYS: Record<IdentityVerdict, MessageKey> = {
  same: 'identity.same',
  changed: 'identity.changed',
  'no-face': 'identity.noFace',
  'face-lost': 'identity.faceLost',
};

/** The words of a verdict with its distance ("Same person 0.32"). */
export function useIdentityText(): (verdict: IdentityVerdict, distance: number | null) => string {
  const { t } = useApp();
  return (verdict, distance) => t(VERDICT_KEYS[verdict], { distance: distance === null ? '' : distance.toFixed(2) }).trim();
}

/** Identity checks of these steps that arrived as events since the project was loaded, by step id. */
export function useIdentityUpdates(steps: { has(stepId: string): boolean }): ReadonlyMap<string, StepIdentity> {
  const [updates, setUpdates] = useState<ReadonlyMap<string, StepIdentity>>(() => new Map());
  useHostEvent((event) => {
    if (event.type !== 'identity.checked' || !steps.has(event.stepId)) return;
    setUpdates((current) => new Map(current).set(event.stepId, event.identity));
  });
  return updates;
}

/**
 * A step's identity check: from an event, else as the project was read. A chooseVariant step
 * committed since then has neither (it makes no new pixels, so no check runs and no event comes):
 * it shows the check of the variant it chose, from the aiEdit step that made the layer.
 */
export function stepIdentity(step: Step, steps: ReadonlyMap<string, Step>, updates: ReadonlyMap<string, StepIdentity>): StepIdentity | undefined {
  const own = (s: Step) => updates.get(s.id) ?? (s as { identity?: StepIdentity }).identity;
  const found = own(step);
  if (found || step.op.type !== 'chooseVariant') return found;
  const { layerId, sha256 } = step.op;
  const madeBy = [...steps.values()].find((s) => s.op.type === 'aiEdit' && s.op.layerId === layerId);
  const made = madeBy && own(madeBy);
  const chosen = made?.variants.find((v) => v.sha256 === sha256);
  return made && chosen ? { ...chosen, variants: made.variants } : undefined;
}

/** The badge of one check, and one per character the prompt named. */
export function IdentityBadge({ check }: { check: IdentityCheck }) {
  const { t } = useApp();
  const text = useIdentityText();
  return (
    <span className="identity-badges" data-testid="identity-badges">
      <span
        className={`identity-badge ${check.verdict}`}
        data-testid="identity-badge"
        data-verdict={check.verdict}
        data-distance={check.distance ?? ''}
        title={t('identity.title', { original: check.faces.original, result: check.faces.result })}
      >
        {text(check.verdict, check.distance)}
      </span>
      {check.characters.map((c) => (
        <CharacterBadge key={c.characterId} consistency={c} />
      ))}
    </span>
  );
}

function CharacterBadge({ consistency }: { consistency: CharacterConsistency }) {
  const { t } = useApp();
  const text = useIdentityText();
  return (
    <span
      className={`identity-badge character ${consistency.verdict}`}
      data-testid="character-badge"
      data-character={consistency.name}
      data-verdict={consistency.verdict}
      title={t('identity.characterTitle', { name: consistency.name, n: consistency.referenceFaces })}
    >
      @{consistency.name} {text(consistency.verdict, consistency.distance)}
    </span>
  );
}
