namespace Pingvas.Core.Text;

/// <summary>
/// What free text users send (prompts, names, titles) may contain: anything but control
/// characters other than tab, LF and CR (C0, DEL, C1) and unpaired UTF-16 surrogates. Those render
/// as nothing, break logs and exports, and PostgreSQL refuses NUL in text outright.
/// </summary>
public static class FreeText
{
    public const string Message = "The text contains a control character or an unpaired surrogate, which is not allowed.";

    public static bool IsAllowed(ReadOnlySpan<char> text) => FindForbidden(text) < 0;

    /// <summary>The index of the first character that is not allowed, or -1.</summary>
    public static int FindForbidden(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    i++;
                    continue;
                }

                return i;
            }

            if (char.IsLowSurrogate(c) || IsForbiddenControl(c))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsForbiddenControl(char c) =>
        c is (< '\u0020' and not '\t' and not '\n' and not '\r') or (>= '\u007F' and <= '\u009F');
}
