using Pingvas.Core.Text;

namespace Pingvas.Core.Tests;

public class FreeTextTests
{
    [Theory]
    [InlineData("")]
    [InlineData("a lighthouse at dusk")]
    [InlineData("tab\there, lines\nand\r\nbreaks")]
    [InlineData("해질녘의 등대, 油画")]
    [InlineData("emoji \U0001F600 and \U0001F3A8 are surrogate pairs")]
    [InlineData("\u00A0no-break space and \u00E9 are not controls")]
    [InlineData("\uFFFD replacement character")]
    public void Ordinary_text_is_allowed(string text)
    {
        Assert.True(FreeText.IsAllowed(text));
        Assert.Equal(-1, FreeText.FindForbidden(text));
    }

    [Theory]
    [InlineData("nul \u0000 inside", 4)]
    [InlineData("\u0001", 0)]
    [InlineData("bell\u0007", 4)]
    [InlineData("vertical\u000Btab", 8)]
    [InlineData("form\u000Cfeed", 4)]
    [InlineData("escape \u001B[31m", 7)]
    [InlineData("unit separator \u001F", 15)]
    [InlineData("delete \u007F", 7)]
    [InlineData("c1 \u0080", 3)]
    [InlineData("next line \u0085", 10)]
    [InlineData("c1 end \u009F", 7)]
    public void Control_characters_other_than_tab_lf_and_cr_are_not(string text, int index) =>
        Assert.Equal(index, FreeText.FindForbidden(text));

    [Fact]
    public void Unpaired_surrogates_are_not_allowed()
    {
        Assert.Equal(1, FreeText.FindForbidden("a\uD800"));
        Assert.Equal(1, FreeText.FindForbidden("a\uD800b"));
        Assert.Equal(0, FreeText.FindForbidden("\uDC00a"));
        Assert.Equal(2, FreeText.FindForbidden("\uD83D\uDE00\uDE00"));
        Assert.Equal(0, FreeText.FindForbidden("\uD83D\uD83D\uDE00"));
        Assert.False(FreeText.IsAllowed("\uDBFF"));
        Assert.True(FreeText.IsAllowed("\uDBFF\uDFFF"));
    }
}
