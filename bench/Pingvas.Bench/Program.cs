using System.Globalization;

namespace Pingvas.Bench;

/// <summary>
/// pingvas-bench submit | claim | report. Everything runs against the loopback interface and a
/// local PostgreSQL; every phase is bounded by a count and a time limit. See docs/benchmarks.md.
/// </summary>
public static class Program
{
    public const string DefaultAdmin = "Host=127.0.0.1;Port=5432;Username=pingvas;Password=pingvas;Database=postgres";

    private static readonly DateTime Started = DateTime.UtcNow;

    public static async Task<int> Main(string[] argv)
    {
        if (argv.Length == 0 || argv[0] is "-h" or "--help")
        {
            Console.Error.WriteLine("""
                usage: Pingvas.Bench submit [--users 200] [--concurrency 32,8] [--count 20000] [--seconds 20] [--serial-seconds 10] [--baseline-seconds 3] [--plan studio] [--role api|serve] [--pool 40] [--out FILE]
                       Pingvas.Bench claim  [--users 50] [--jobs 1000] [--workers 1,2,4,8] [--rate 50] [--steady-seconds 10] [--pool 40] [--out FILE]
                       Pingvas.Bench claim-scale [--users 10,1000,10000] [--jobs 100000] [--claims 500] [--out FILE]
                       Pingvas.Bench profile [--ops 100] [--depth 2000] [--out FILE.md]
                       Pingvas.Bench search [--images 1000000] [--user-images 100000] [--other-users 900] [--rounds 40] [--out FILE.md] [--keep | --database NAME] [--setting Key=Value,...]
                       Pingvas.Bench report --in FILE[,FILE...] [--out FILE.md]
                common: --admin "<Npgsql connection string of a role with CREATEDB>" (default: pingvas@127.0.0.1:5432)
                """);
            return 2;
        }

        var args = new Args(argv.Skip(1));
        switch (argv[0])
        {
            case "submit":
                await ResultFile.WriteAsync(args.Get("out", "bench/results/pingvas-submit.json"), await SubmitBench.RunAsync(args));
                return 0;
            case "claim":
                await ResultFile.WriteAsync(args.Get("out", "bench/results/pingvas-claim.json"), await ClaimBench.RunAsync(args));
                return 0;
            case "claim-scale":
                await ResultFile.WriteAsync(args.Get("out", "bench/results/pingvas-claim-scale.json"), await ClaimScaleBench.RunAsync(args));
                return 0;
            case "profile":
                var profile = await Profile.RunAsync(args);
                await File.WriteAllTextAsync(args.Get("out", "bench/results/profile.md"), profile);
                return 0;
            case "search":
                var search = await SearchBench.RunAsync(args);
                var searchOut = args.Get("out", "bench/results/issue-12/search.md");
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(searchOut))!);
                await File.WriteAllTextAsync(searchOut, search);
                Console.WriteLine(search);
                return 0;
            case "report":
                var markdown = Report.Build(args.Get("in", "").Split(',', StringSplitOptions.RemoveEmptyEntries).SelectMany(ResultFile.Read).ToList());
                if (args.Get("out", "") is { Length: > 0 } path)
                {
                    await File.WriteAllTextAsync(path, markdown);
                }

                Console.WriteLine(markdown);
                return 0;
            default:
                Console.Error.WriteLine($"Unknown command '{argv[0]}': submit, claim, claim-scale, profile, search or report.");
                return 2;
        }
    }

    public static void Log(string message) =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{(DateTime.UtcNow - Started).TotalSeconds,6:0.0}s] {message}"));
}
