using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>One leaf part of a MIME message: its media type and its decoded text.</summary>
public sealed record MimePart(string MediaType, string Text, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// A message as the SMTP test server received it, read by a small MIME reader (System.Net.Mail
/// cannot parse): unfolded headers, RFC 2047 encoded words (UTF-8, B and Q), nested multiparts,
/// and base64 / quoted-printable bodies in their charset. Enough for what SmtpClient sends.
/// </summary>
public sealed partial class ReceivedEmail
{
    private ReceivedEmail(IReadOnlyDictionary<string, string> headers, IReadOnlyList<MimePart> parts, IReadOnlyList<string> envelopeTo, bool secure, string? user)
    {
        Headers = headers;
        Parts = parts;
        EnvelopeTo = envelopeTo;
        Secure = secure;
        AuthenticatedUser = user;
    }

    /// <summary>Top-level headers by lower-case name, unfolded and decoded.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The leaf parts in order.</summary>
    public IReadOnlyList<MimePart> Parts { get; }

    /// <summary>RCPT TO addresses.</summary>
    public IReadOnlyList<string> EnvelopeTo { get; }

    /// <summary>The session had been upgraded with STARTTLS when the message was sent.</summary>
    public bool Secure { get; }

    public string? AuthenticatedUser { get; }

    public string Subject => Headers.GetValueOrDefault("subject", "");

    public string ContentType => Headers.GetValueOrDefault("content-type", "");

    public string Text => Assert.Single(Parts, p => p.MediaType == "text/plain").Text;

    public string Html => Assert.Single(Parts, p => p.MediaType == "text/html").Text;

    /// <summary>The value of the <c>token</c> query parameter of the first link to <paramref name="path"/> in the text part.</summary>
    public string TokenFor(string path)
    {
        var match = Regex.Match(Text, $@"https?://[^\s]+{Regex.Escape(path)}\?token=([A-Za-z0-9_\-%]+)");
        Assert.True(match.Success, $"No {path}?token= link in:\n{Text}");
        return Uri.UnescapeDataString(match.Groups[1].Value);
    }

    public static ReceivedEmail Parse(byte[] raw, IReadOnlyList<string> envelopeTo, bool secure, string? user)
    {
        // Headers are ASCII (encoded words for the rest); 8-bit bodies are read as UTF-8 by their part.
        var text = Encoding.Latin1.GetString(raw);
        var (headers, body) = SplitHeaders(text);
        var parts = new List<MimePart>();
        ReadPart(headers, body, parts);
        return new ReceivedEmail(headers, parts, envelopeTo, secure, user);
    }

    private static void ReadPart(Dictionary<string, string> headers, string body, List<MimePart> parts)
    {
        var (mediaType, parameters) = ParseContentType(headers.GetValueOrDefault("content-type", "text/plain; charset=us-ascii"));
        if (mediaType.StartsWith("multipart/", StringComparison.Ordinal))
        {
            var boundary = "--" + parameters["boundary"];
            var sections = body.Split(boundary);

            // Before the first boundary is the preamble; after the closing "--" the epilogue.
            foreach (var section in sections.Skip(1))
            {
                if (section.StartsWith("--", StringComparison.Ordinal))
                {
                    break;
                }

                var content = section.StartsWith("\r\n", StringComparison.Ordinal) ? section[2..] : section;
                if (content.EndsWith("\r\n", StringComparison.Ordinal))
                {
                    content = content[..^2];
                }

                var (partHeaders, partBody) = SplitHeaders(content);
                ReadPart(partHeaders, partBody, parts);
            }

            return;
        }

        var charset = parameters.GetValueOrDefault("charset", "us-ascii");
        var bytes = headers.GetValueOrDefault("content-transfer-encoding", "7bit").Trim().ToLowerInvariant() switch
        {
            "base64" => Convert.FromBase64String(Regex.Replace(body, @"\s", "")),
            "quoted-printable" => QuotedPrintable(body),
            _ => Encoding.Latin1.GetBytes(body),
        };
        parts.Add(new MimePart(mediaType, Encoding.GetEncoding(charset).GetString(bytes), headers));
    }

    private static (Dictionary<string, string> Headers, string Body) SplitHeaders(string text)
    {
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = end < 0 ? text : text[..end];
        var body = end < 0 ? "" : text[(end + 4)..];
        var headers = new Dictionary<string, string>();
        string? last = null;
        foreach (var line in head.Split("\r\n"))
        {
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t') && last is not null)
            {
                headers[last] += " " + line.Trim();
                continue;
            }

            var colon = line.IndexOf(':');
            if (colon > 0)
            {
                last = line[..colon].Trim().ToLowerInvariant();
                headers[last] = line[(colon + 1)..].Trim();
            }
        }

        foreach (var name in headers.Keys.ToList())
        {
            headers[name] = DecodeWords(headers[name]);
        }

        return (headers, body);
    }

    private static (string MediaType, Dictionary<string, string> Parameters) ParseContentType(string value)
    {
        var pieces = value.Split(';');
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var piece in pieces.Skip(1))
        {
            var eq = piece.IndexOf('=');
            if (eq > 0)
            {
                parameters[piece[..eq].Trim()] = piece[(eq + 1)..].Trim().Trim('"');
            }
        }

        return (pieces[0].Trim().ToLowerInvariant(), parameters);
    }

    /// <summary>RFC 2047: =?charset?B|Q?text?=; whitespace between two encoded words is dropped.</summary>
    public static string DecodeWords(string value)
    {
        var joined = AdjacentWords().Replace(value, "$1");
        return EncodedWord().Replace(joined, m =>
        {
            var encoding = Encoding.GetEncoding(m.Groups[1].Value);
            var data = m.Groups[3].Value;
            var bytes = m.Groups[2].Value.ToUpperInvariant() == "B"
                ? Convert.FromBase64String(data)
                : QuotedPrintable(data.Replace('_', ' '));
            return encoding.GetString(bytes);
        });
    }

    private static byte[] QuotedPrintable(string text)
    {
        var unwrapped = text.Replace("=\r\n", "", StringComparison.Ordinal);
        var bytes = new List<byte>(unwrapped.Length);
        for (var i = 0; i < unwrapped.Length; i++)
        {
            if (unwrapped[i] == '=' && i + 2 < unwrapped.Length && IsHex(unwrapped[i + 1]) && IsHex(unwrapped[i + 2]))
            {
                bytes.Add(byte.Parse(unwrapped.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 2;
            }
            else
            {
                bytes.Add((byte)unwrapped[i]);
            }
        }

        return [.. bytes];
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    [GeneratedRegex(@"(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)\s+(?==\?)")]
    private static partial Regex AdjacentWords();

    [GeneratedRegex(@"=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=")]
    private static partial Regex EncodedWord();
}
