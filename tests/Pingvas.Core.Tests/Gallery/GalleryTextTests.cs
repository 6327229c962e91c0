using Pingvas.Core.Gallery;

namespace Pingvas.Core.Tests.Gallery;

public sealed class GalleryTextTests
{
    [Theory]
    [InlineData("  Red   Fox ", "red fox")]
    [InlineData("ＦＯＸ", "fox")]
    [InlineData("붉은\t여우", "붉은 여우")]
    [InlineData("Ｆｏｘ　여우", "fox 여우")]
    public void Normalize_folds_width_case_and_whitespace(string raw, string expected) =>
        Assert.Equal(expected, GalleryText.Normalize(raw));

    [Fact]
    public void Tags_are_normalised_deduplicated_sorted_and_bounded()
    {
        Assert.Equal(["cat", "고양이"], GalleryText.Tags(["고양이", " CAT ", "cat"], out _));
        Assert.Null(GalleryText.Tags(["  "], out var empty));
        Assert.NotNull(empty);
        Assert.Null(GalleryText.Tags([new string('a', 41)], out _));
        Assert.Null(GalleryText.Tags(Enumerable.Range(0, 21).Select(i => $"t{i}"), out var many));
        Assert.Contains("20", many);
        Assert.Null(GalleryText.Tags(["a\u0001b"], out _));
    }

    [Fact]
    public void Search_text_joins_prompt_negative_and_tags_normalised()
    {
        Assert.Equal("붉은여우가 달린다 fox\nblurry\n야생", GalleryText.SearchText("붉은여우가 달린다 FOX", " Blurry ", ["야생"]));
        Assert.Equal("a cat", GalleryText.SearchText("A cat", null, []));
    }

    [Fact]
    public void Terms_split_a_mixed_query_and_refuse_too_many()
    {
        Assert.Equal(["fox", "여우"], GalleryText.Terms(" FOX  여우 fox", out _));
        Assert.Empty(GalleryText.Terms("   ", out _)!);
        Assert.Null(GalleryText.Terms(string.Join(' ', Enumerable.Range(0, 9).Select(i => $"w{i}")), out var error));
        Assert.NotNull(error);
    }
}
