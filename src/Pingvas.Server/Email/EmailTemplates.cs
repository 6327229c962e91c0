using System.Globalization;
using System.Net;
using System.Text;

using Microsoft.Extensions.Options;

using Pingvas.Server.Hosting;

namespace Pingvas.Server.Email;

/// <summary>A rendered email: the subject and both alternatives.</summary>
public sealed record EmailContent(string Subject, string Text, string Html);

/// <summary>
/// What a template says, before layout: a heading, paragraphs (plain text, encoded when laid out)
/// and at most one button. Every value reaches the HTML through <see cref="WebUtility.HtmlEncode"/>.
/// </summary>
public sealed record EmailBody(string Subject, string Heading, IReadOnlyList<string> Paragraphs, string? ActionLabel = null, Uri? ActionUrl = null);

/// <summary>What a template reads: the recipient's name, the request's data and absolute links.</summary>
public sealed class TemplateContext(string name, IReadOnlyDictionary<string, string> data, AppOptions app)
{
    public string Name { get; } = name;

    public IReadOnlyDictionary<string, string> Data { get; } = data;

    /// <summary>The value of <paramref name="key"/> when present and not blank, else null (its sentence is left out).</summary>
    public string? this[string key] => Data.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    public Uri Link(string pathAndQuery) => app.Link(pathAndQuery);

    /// <summary>A link carrying <c>token</c> from the data (URL-encoded), e.g. /verify-email?token=….</summary>
    public Uri TokenLink(string path) => app.Link($"{path}?token={Uri.EscapeDataString(this["token"] ?? "")}");

    /// <summary>
    /// <c>amount</c> (minor units) in <c>currency</c>, e.g. "9.90 USD" or "9,900 KRW"; null when
    /// either is missing or the amount is not a number.
    /// </summary>
    public string? Money()
    {
        if (this["amount"] is not { } amount || this["currency"] is not { } currency
            || !long.TryParse(amount, NumberStyles.Integer, CultureInfo.InvariantCulture, out var minor))
        {
            return null;
        }

        var code = currency.ToUpperInvariant();
        return ZeroDecimal.Contains(code)
            ? $"{minor.ToString("N0", CultureInfo.InvariantCulture)} {code}"
            : $"{(minor / 100m).ToString("N2", CultureInfo.InvariantCulture)} {code}";
    }

    /// <summary>Currencies without minor units (the provider's amounts are whole units): Stripe's zero-decimal list.</summary>
    private static readonly HashSet<string> ZeroDecimal = ["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"];
}

/// <summary>
/// The Korean and English templates of every <see cref="EmailKinds"/> kind (EmailTemplates.Texts.cs)
/// and the one layout they share, as plain text and HTML.
/// </summary>
public sealed partial class EmailTemplates(IOptions<AppOptions> app)
{
    public static bool IsKnown(string kind) => Texts.ContainsKey(kind);

    /// <summary>Renders <paramref name="kind"/> in <paramref name="language"/> (ko or en; anything else is English).</summary>
    public EmailContent Render(string kind, string language, string name, IReadOnlyDictionary<string, string> data)
    {
        if (!Texts.TryGetValue(kind, out var texts))
        {
            throw new ArgumentException($"No template for email kind '{kind}'.", nameof(kind));
        }

        var context = new TemplateContext(name, data, app.Value);
        var body = language == "ko" ? texts.Ko(context) : texts.En(context);
        var footer = language == "ko"
            ? "Pingvas Studio 계정과 관련된 안내 메일이에요."
            : "You receive this email because of your Pingvas Studio account.";
        return new EmailContent(body.Subject, Text(body, footer), Html(body, footer, language == "ko" ? "ko" : "en"));
    }

    private static string Text(EmailBody body, string footer)
    {
        var text = new StringBuilder();
        text.Append(body.Heading).Append("\n\n");
        foreach (var paragraph in body.Paragraphs)
        {
            text.Append(paragraph).Append("\n\n");
        }

        if (body.ActionUrl is not null)
        {
            text.Append(body.ActionLabel).Append(":\n").Append(body.ActionUrl.AbsoluteUri).Append("\n\n");
        }

        text.Append("-- \n").Append(footer).Append('\n');
        return text.ToString();
    }

    private static string Html(EmailBody body, string footer, string lang)
    {
        static string E(string value) => WebUtility.HtmlEncode(value);
        var html = new StringBuilder();
        html.Append($"""
            <!DOCTYPE html>
            <html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{E(body.Subject)}</title></head>
            <body style="margin:0;padding:24px;background:#f4f4f5;font-family:-apple-system,'Segoe UI','Apple SD Gothic Neo','Noto Sans KR',sans-serif;color:#18181b">
            <div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:32px">
            <h1 style="font-size:20px;margin:0 0 16px">{E(body.Heading)}</h1>

            """);
        foreach (var paragraph in body.Paragraphs)
        {
            html.Append($"""<p style="font-size:15px;line-height:1.6;margin:0 0 14px">{E(paragraph)}</p>""").Append('\n');
        }

        if (body.ActionUrl is not null)
        {
            var url = E(body.ActionUrl.AbsoluteUri);
            html.Append($"""
                <p style="margin:24px 0"><a href="{url}" style="display:inline-block;background:#4f46e5;color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:6px;font-weight:600">{E(body.ActionLabel ?? "")}</a></p>
                <p style="font-size:12px;color:#71717a;word-break:break-all;margin:0 0 14px">{url}</p>

                """);
        }

        html.Append($"""
            <p style="font-size:12px;color:#a1a1aa;border-top:1px solid #e4e4e7;padding-top:12px;margin:24px 0 0">{E(footer)}</p>
            </div></body></html>

            """);
        return html.ToString();
    }

    private sealed record Pair(Func<TemplateContext, EmailBody> Ko, Func<TemplateContext, EmailBody> En);
}
