using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using Npgsql;

namespace Pingvas.Bench;

/// <summary>
/// Gallery search latency (issue 12): a fresh PostgreSQL database with --images images in total
/// (default 1,000,000), --user-images of them (100,000) the measured user's, the rest spread over
/// --other-users; then GET /api/v1/images?q=… (limit 50, newest first) through the real HTTP endpoint,
/// one request at a time, each query of the mix --rounds times, round-robin after one warm-up round.
/// Writes a markdown table (per query: matches among the user's images, p50/p95/p99, max).
/// </summary>
public static class SearchBench
{
    /// <summary>The mix: 1- and 2-syllable Korean (common, rare), 3+ syllables, English words, two terms, filters, no match.</summary>
    private static readonly (string Label, string Query)[] Queries =
    [
        ("2-syllable Korean, common", "q=여우"),
        ("2-syllable Korean", "q=노을"),
        ("2-syllable Korean, rare", "q=파리"),
        ("1 syllable Korean, common", "q=산"),
        ("3-syllable Korean, rare", "q=해파리"),
        ("4-syllable Korean", "q=붉은여우"),
        ("English word, common", "q=cinematic"),
        ("English word", "q=fox"),
        ("English word, rare", "q=jellyfish"),
        ("two terms", "q=red%20fox"),
        ("two terms, Korean + English", "q=바다%20cat"),
        ("folder name", "q=cyberpunk"),
        ("with a filter: starred", "q=여우&starred=true"),
        ("with a filter: model", "q=castle&model=flux-dev"),
        ("with a filter: tag", "q=고양이&tag=풍경"),
        ("no match", "q=zebra"),
        ("no query (gallery)", ""),
    ];

    public static async Task<string> RunAsync(Args args)
    {
        var admin = args.Get("admin", Program.DefaultAdmin);
        var total = args.Int("images", 1_000_000);
        var userImages = args.Int("user-images", 100_000);
        var otherUsers = args.Int("other-users", 900);
        var rounds = args.Int("rounds", 40);

        // --keep leaves the loaded database behind (its name is logged); --database NAME measures it
        // again without the half-hour load. --setting Key=Value passes a server setting (before/after runs).
        var reuse = args.Get("database", "");
        var settings = new Dictionary<string, string>();
        foreach (var setting in args.Get("setting", "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var pair = setting.Split('=', 2);
            settings[pair[0]] = pair[1];
        }

        await using var server = await BenchServer.StartAsync(admin, 8, settings, existingDatabase: reuse.Length > 0 ? reuse : null);
        BenchUser user;
        if (reuse.Length > 0)
        {
            user = await SignInMeasuredUserAsync(server);
            Program.Log($"search: reusing database {reuse}, measured user {user.Id}");
        }
        else
        {
            user = (await server.CreateUsersAsync(1, _ => "studio"))[0];
            var load = Stopwatch.StartNew();
            await SearchLoader.LoadAsync(server, user.Id, userImages, total, otherUsers);
            Program.Log($"search: loaded {total} images ({userImages} of the measured user) in {load.Elapsed.TotalSeconds:0} s");
            if (args.Get("keep", "false") == "true")
            {
                server.KeepDatabase = true;
                Program.Log($"search: keeping database {server.DatabaseName} (reuse with --database {server.DatabaseName})");
            }
        }

        total = (int)await server.ScalarAsync<long>("SELECT count(*) FROM images");
        userImages = (int)await server.ScalarAsync<long>("SELECT count(*) FROM images WHERE user_id = @user", ("user", user.Id));
        otherUsers = (int)await server.ScalarAsync<long>("SELECT count(DISTINCT user_id) FROM images WHERE user_id <> @user", ("user", user.Id));

        using var client = server.CreateClient(1);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", user.Token);
        var samples = Queries.ToDictionary(q => q.Label, _ => new List<double>());
        var firstPage = new Dictionary<string, int>();
        for (var round = -1; round < rounds; round++)
        {
            foreach (var (label, query) in Queries)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await client.GetAsync($"/api/v1/images?limit=50&{query}");
                var body = await response.Content.ReadAsStringAsync();
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"{query}: {(int)response.StatusCode} {body}");
                }

                if (round < 0)
                {
                    using var json = JsonDocument.Parse(body);
                    firstPage[label] = json.RootElement.GetProperty("items").GetArrayLength();
                    continue;
                }

                samples[label].Add(elapsed);
            }
        }

        var matches = new Dictionary<string, long>();
        foreach (var (label, query) in Queries)
        {
            matches[label] = await CountAsync(server, user.Id, query);
        }

        var all = samples.Values.SelectMany(s => s).ToList();
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"{total:N0} images, {userImages:N0} of the measured user, {otherUsers:N0} other users; {rounds} requests per query, one at a time, limit 50, newest first.");
        sb.AppendLine();
        sb.AppendLine("| query | `GET /images?…` | user's matches | p50 ms | p95 ms | p99 ms | max ms |");
        sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (label, query) in Queries)
        {
            var s = samples[label];
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {label} | `{Uri.UnescapeDataString(query)}` | {matches[label]:N0} | {Rank(s, 0.50):0.0} | {Rank(s, 0.95):0.0} | {Rank(s, 0.99):0.0} | {s.Max():0.0} |");
        }

        sb.AppendLine(CultureInfo.InvariantCulture, $"| **all** | | | **{Rank(all, 0.50):0.0}** | **{Rank(all, 0.95):0.0}** | **{Rank(all, 0.99):0.0}** | **{all.Max():0.0}** |");
        Program.Log($"search: p50 {Rank(all, 0.50):0.0} ms, p95 {Rank(all, 0.95):0.0} ms, p99 {Rank(all, 0.99):0.0} ms over {all.Count} requests");
        return sb.ToString();
    }

    /// <summary>In a reused database, the measured user is the one registered through the API (the loader's users cannot sign in).</summary>
    private static async Task<BenchUser> SignInMeasuredUserAsync(BenchServer server)
    {
        var email = await server.ScalarAsync<string>("SELECT email FROM users WHERE email LIKE 'bench-%' ORDER BY created_at DESC LIMIT 1");
        using var client = server.CreateClient(1);
        using var response = await client.PostAsJsonAsync("/api/v1/auth/login", new { email, password = "correct horse battery staple" });
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"login: {(int)response.StatusCode} {body}");
        }

        using var json = JsonDocument.Parse(body);
        var signedIn = json.RootElement;
        return new BenchUser(signedIn.GetProperty("user").GetProperty("id").GetGuid(), signedIn.GetProperty("accessToken").GetString()!, "studio");
    }

    /// <summary>How many of the user's images the query matches (outside the timing, by the same rule: strpos on search text or folder name).</summary>
    private static async Task<long> CountAsync(BenchServer server, Guid userId, string query)
    {
        var parameters = query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
        var where = new List<string> { "i.user_id = @user", "i.deleted_at IS NULL" };
        var values = new List<(string, object)> { ("user", userId) };
        var terms = parameters.GetValueOrDefault("q", "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var t = 0; t < terms.Length; t++)
        {
            where.Add($"(strpos(i.search_text, @t{t}) > 0 OR EXISTS (SELECT FROM folders f WHERE f.id = i.folder_id AND strpos(lower(f.name), @t{t}) > 0))");
            values.Add(($"t{t}", terms[t]));
        }

        if (parameters.ContainsKey("starred"))
        {
            where.Add("i.starred");
        }

        if (parameters.TryGetValue("model", out var model))
        {
            where.Add("i.model_id = @model");
            values.Add(("model", model));
        }

        if (parameters.TryGetValue("tag", out var tag))
        {
            where.Add("EXISTS (SELECT FROM image_tags g WHERE g.image_id = i.id AND g.tag = @tag)");
            values.Add(("tag", tag));
        }

        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await SearchLoader.ExecuteAsync(connection, "SELECT set_config('pingvas.user_id', 'system', false)");
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM images i WHERE {string.Join(" AND ", where)}", connection);
        foreach (var (name, value) in values)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static double Rank(List<double> samples, double p)
    {
        var sorted = samples.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
