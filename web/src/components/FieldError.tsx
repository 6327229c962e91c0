import { useLocale } from "../i18n/LocaleContext";
import { fieldErrorText } from "../logic/problemText";

export function FieldError({ id, messages }: { id: string; messages: string[] | undefined }) {
  const { locale } = useLocale();
  const text = fieldErrorText(locale, messages);
  return text === null ? null : <p id={id} className="field-error">{text}</p>;
}
