import type { ReactNode } from "react";

import type { Plan } from "../../api/types";
import { useLocale } from "../../i18n/LocaleContext";
import { planHas, unlockingPlan } from "../../logic/addOns";
import type { GenerateForm } from "../../logic/generateForm";
import { FeatureLock } from "../FeatureLock";
import { ControlPanel } from "./ControlPanel";
import { LoraPanel } from "./LoraPanel";
import { ReferencePanel } from "./ReferencePanel";

/** The Generate page's collapsible LoRA, ControlNet and IP-Adapter sections (Pro and above). */
/** Default export: the Generate page loads it lazily (not part of the first load). */
export default function AddOnPanels({ form, family, plans, planId, onChange }: {
  form: GenerateForm;
  family: string | undefined;
  plans: Plan[] | undefined;
  planId: string | undefined;
  onChange: (change: Partial<GenerateForm>) => void;
}) {
  const { t } = useLocale();
  const lorasAllowed = planHas(plans, planId, "loras");
  const controlAllowed = planHas(plans, planId, "control");
  if (lorasAllowed === undefined || controlAllowed === undefined) {
    return null;
  }
  const lorasPlan = unlockingPlan(plans, "loras", "Pro");
  const controlPlan = unlockingPlan(plans, "control", "Pro");
  return (
    <div className="addons">
      <Section title={t("loraPanel.title")} count={form.loras.length} locked={!lorasAllowed}>
        {lorasAllowed ? <LoraPanel family={family} value={form.loras} onChange={(loras) => onChange({ loras })} />
          : <FeatureLock what={t("loraPanel.title")} plan={lorasPlan} />}
      </Section>
      <Section title={t("controlPanel.title")} count={form.control.length} locked={!controlAllowed}>
        {controlAllowed ? <ControlPanel family={family} steps={form.steps} value={form.control} onChange={(control) => onChange({ control })} />
          : <FeatureLock what={t("controlPanel.title")} plan={controlPlan} />}
      </Section>
      <Section title={t("referencePanel.title")} count={form.reference ? 1 : 0} locked={!controlAllowed}>
        {controlAllowed ? <ReferencePanel family={family} value={form.reference} onChange={(reference) => onChange({ reference })} />
          : <FeatureLock what={t("referencePanel.title")} plan={controlPlan} />}
      </Section>
    </div>
  );
}

function Section({ title, count, locked, children }: { title: string; count: number; locked: boolean; children: ReactNode }) {
  const { t } = useLocale();
  return (
    <details className="addon-section" open={count > 0 ? true : undefined}>
      <summary>
        {title}
        {count > 0 ? <span className="badge">{count}</span> : null}
        {locked ? <span className="badge muted-badge">{t("lock.badge")}</span> : null}
      </summary>
      {children}
    </details>
  );
}
