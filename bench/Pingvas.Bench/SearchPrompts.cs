namespace Pingvas.Bench;

/// <summary>
/// Generation prompts as creators write them, for the search bench: Korean sentences (subjects with
/// their particles, so "여우" sits inside "붉은여우가"), English prompts with style words, and mixes of
/// both. Words are drawn with Zipf-like weights (the first of a list is common, the last rare), so a
/// query set has common and rare terms. Deterministic for a seed.
/// </summary>
public sealed class SearchPrompts(int seed)
{
    private static readonly string[] KoreanSubjects =
        ["고양이", "붉은여우", "강아지", "소녀", "기사", "용", "로봇", "호랑이", "토끼", "우주비행사", "부엉이", "마법사", "공주", "전사", "여우", "해파리"];

    private static readonly string[] KoreanPlaces =
        ["바다", "숲", "도시", "산", "노을", "야경", "벚꽃길", "눈 내리는 마을", "사막", "성", "우주", "카페", "골목", "등대"];

    private static readonly string[] KoreanActions = ["달린다", "잠든다", "서 있다", "노래한다", "날아간다", "바라본다", "춤춘다", "쉰다"];

    private static readonly string[] KoreanStyles = ["수채화", "유화", "사진", "애니메이션 스타일", "시네마틱 조명", "고해상도", "따뜻한 색감", "흑백"];

    private static readonly string[] EnglishSubjects =
        ["cat", "red fox", "dog", "girl", "knight", "dragon", "robot", "tiger", "rabbit", "astronaut", "owl", "wizard", "princess", "warrior", "lighthouse", "jellyfish"];

    private static readonly string[] EnglishPlaces =
        ["by the sea", "in the forest", "in a city at night", "in the mountains", "at sunset", "under cherry blossoms", "in a snowy village", "in the desert", "in a castle", "in outer space", "in a cozy cafe"];

    private static readonly string[] EnglishStyles =
        ["cinematic lighting", "highly detailed", "masterpiece", "best quality", "watercolor", "oil painting", "photo", "anime style", "8k", "soft focus", "volumetric fog"];

    private static readonly string[] Negatives = ["blurry, lowres, bad anatomy", "worst quality, jpeg artifacts", "text, watermark", "extra fingers"];

    public static readonly string[] Tags = ["portrait", "풍경", "wip", "favorite", "client-a", "캐릭터", "배경", "concept", "print", "sns"];

    public static readonly string[] Folders =
        ["여행", "Portraits", "풍경 사진", "Cyberpunk city", "캐릭터 시트", "Client A", "작업 중", "Wallpapers", "동물", "Fox studies"];

    public static readonly string[] Models = ["sd-1.5", "sdxl-1.0", "flux-dev"];

    private readonly Random random = new(seed);

    public Random Random => random;

    public string Prompt() => random.Next(10) switch
    {
        < 4 => Korean(),
        < 8 => English(),
        _ => $"{Korean()}, {Pick(EnglishStyles)}, {Pick(EnglishSubjects)}",
    };

    public string? Negative() => random.Next(3) == 0 ? Pick(Negatives) : null;

    public string Model() => Models[random.Next(10) switch { < 6 => 0, < 9 => 1, _ => 2 }];

    private string Korean()
    {
        var subject = Pick(KoreanSubjects);
        var particle = HasFinalConsonant(subject) ? "이" : "가";
        return $"{Pick(KoreanPlaces)}에서 {subject}{particle} {Pick(KoreanActions)}, {Pick(KoreanStyles)}, {Pick(KoreanStyles)}";
    }

    private string English() => $"a {Pick(EnglishSubjects)} {Pick(EnglishPlaces)}, {Pick(EnglishStyles)}, {Pick(EnglishStyles)}";

    /// <summary>Zipf-like: item k (0-based) with weight 1 / (k + 1), so the last ones are rare.</summary>
    public T Pick<T>(IReadOnlyList<T> items)
    {
        var total = 0.0;
        for (var k = 0; k < items.Count; k++)
        {
            total += 1.0 / (k + 1);
        }

        var x = random.NextDouble() * total;
        for (var k = 0; k < items.Count; k++)
        {
            x -= 1.0 / (k + 1);
            if (x <= 0)
            {
                return items[k];
            }
        }

        return items[^1];
    }

    /// <summary>A Hangul syllable with a final consonant (받침) takes 이, without one 가.</summary>
    private static bool HasFinalConsonant(string word) => word[^1] is >= '가' and <= '힣' && (word[^1] - '가') % 28 != 0;
}
