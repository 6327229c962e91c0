using System.Reflection;

using Microsoft.Extensions.Options;

using Pingvas.Server.Email;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Tests.Email;

/// <summary>Every kind renders in Korean and English, HTML-encoded, with absolute links, leaving out what its data lacks.</summary>
public sealed class EmailTemplateTests
{
    private static readonly EmailTemplates Templates = new(Options.Create(new AppOptions { PublicUrl = new Uri("https://studio.example") }));

    public static TheoryData<string, string> KindsAndLanguages()
    {
        var data = new TheoryData<string, string>();
        foreach (var kind in Kinds())
        {
            data.Add(kind, "ko");
            data.Add(kind, "en");
        }

        return data;
    }

    private static IEnumerable<string> Kinds() =>
        typeof(EmailKinds).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetValue(null)!);

    [Theory]
    [MemberData(nameof(KindsAndLanguages))]
    public void Every_kind_renders_with_all_data_and_with_none(string kind, string language)
    {
        var full = new Dictionary<string, string>
        {
            ["token"] = "tok_en-1",
            ["newEmail"] = "new@example.com",
            ["balance"] = "7",
            ["plan"] = "Pro <Plus>",
            ["interval"] = "annual",
            ["date"] = "2027-01-31",
            ["amount"] = "990",
            ["currency"] = "usd",
        };
        var rendered = Templates.Render(kind, language, "Kim & <Lee>", full);
        Assert.False(string.IsNullOrWhiteSpace(rendered.Subject));
        Assert.Contains("https://studio.example/", rendered.Text);
        Assert.Contains("href=\"https://studio.example/", rendered.Html);
        Assert.Contains($"<html lang=\"{language}\">", rendered.Html);
        Assert.DoesNotContain("<Lee>", rendered.Html);
        Assert.DoesNotContain("<Plus>", rendered.Html);
        if (kind.StartsWith("subscription_", StringComparison.Ordinal) || kind == EmailKinds.PaymentFailed)
        {
            Assert.Contains("Pro <Plus>", rendered.Text);
            Assert.Contains("Pro &lt;Plus&gt;", rendered.Html);
        }

        // Without data nothing is left blank or half-written.
        var bare = Templates.Render(kind, language, "Kim", new Dictionary<string, string>());
        Assert.False(string.IsNullOrWhiteSpace(bare.Text));
        Assert.DoesNotContain("{", bare.Text);
        Assert.DoesNotContain("  ", bare.Text);
        Assert.DoesNotContain(": \n", bare.Text);
    }

    [Fact]
    public void Amounts_are_shown_in_major_units_and_links_carry_the_token_escaped()
    {
        var usd = Templates.Render(EmailKinds.SubscriptionRenewed, "en", "Kim", new Dictionary<string, string> { ["plan"] = "Pro", ["amount"] = "7500", ["currency"] = "usd", ["date"] = "2027-02-01" });
        Assert.Contains("Amount paid: 75.00 USD", usd.Text);
        Assert.Contains("Next renewal: 2027-02-01", usd.Text);
        var krw = Templates.Render(EmailKinds.PaymentFailed, "ko", "Kim", new Dictionary<string, string> { ["plan"] = "Pro", ["amount"] = "9900", ["currency"] = "KRW" });
        Assert.Contains("Pro 플랜의 9,900 KRW 결제에 실패했어요.", krw.Text);

        var reset = Templates.Render(EmailKinds.PasswordReset, "en", "Kim", new Dictionary<string, string> { ["token"] = "a+b/c" });
        Assert.Contains("https://studio.example/reset-password?token=a%2Bb%2Fc", reset.Text);
    }

    [Theory]
    [InlineData("ko-KR,ko;q=0.9,en;q=0.8", "ko")]
    [InlineData("en-US,en;q=0.9", "en")]
    [InlineData("fr-FR,fr;q=0.9,ko;q=0.5,en;q=0.4", "ko")]
    [InlineData("en;q=0.3,ko;q=0.7", "ko")]
    [InlineData("fr", null)]
    [InlineData("", null)]
    public void The_language_hint_comes_from_Accept_Language(string header, string? expected) =>
        Assert.Equal(expected, EmailOutboxHandler.HintFrom(header));
}
