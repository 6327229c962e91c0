using Npgsql;

using NpgsqlTypes;

using Pingvas.Core.Gallery;
using Pingvas.Server.Data;

namespace Pingvas.Bench;

/// <summary>
/// Fills the search bench's database with Npgsql binary COPY (EF would take an hour for a million
/// rows): other users (one job each, as the images' foreign key needs), the measured user's folders,
/// then the images (the measured user's with folders, tags, stars, use counts) and their tags. The
/// trigram index is dropped for the load and built once afterwards, which is what a bulk load should do.
/// </summary>
public static class SearchLoader
{
    public static async Task LoadAsync(BenchServer server, Guid userId, int userImages, int totalImages, int otherUsers)
    {
        // No command timeout: the end of a million-row COPY (its foreign-key checks) takes minutes on a busy machine.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server.ConnectionString) { CommandTimeout = 0 }.ConnectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, $"SELECT set_config('pingvas.user_id', '{TenantSessionInterceptor.SystemValue}', false)");

        // COPY refuses tables under forced row-level security; the owner (this role) loads them
        // exempt and forces it again before the server reads a row.
        var tenantTables = new[] { "jobs", "folders", "images", "image_tags" };
        foreach (var table in tenantTables)
        {
            await ExecuteAsync(connection, $"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY");
        }

        try
        {
            await CopyAsync(connection, userId, userImages, totalImages, otherUsers);
        }
        finally
        {
            foreach (var table in tenantTables)
            {
                await ExecuteAsync(connection, $"ALTER TABLE {table} FORCE ROW LEVEL SECURITY");
            }
        }

        Program.Log("search: building the trigram index");
        await ExecuteAsync(connection, "SET maintenance_work_mem = '256MB'");
        await ExecuteAsync(connection, TrigramIndex);
        await ExecuteAsync(connection, "VACUUM ANALYZE images");
        await ExecuteAsync(connection, "VACUUM ANALYZE image_search");
        await ExecuteAsync(connection, "ANALYZE");
    }

    // The search side table's index (0025); the rows themselves are copied by the trigger on images.
    private const string TrigramIndex = "CREATE INDEX ix_image_search_user_text ON image_search USING gin (user_id, search_text gin_trgm_ops)";

    private static async Task CopyAsync(NpgsqlConnection connection, Guid userId, int userImages, int totalImages, int otherUsers)
    {
        var others = new List<Guid>();
        for (var i = 0; i < otherUsers; i++)
        {
            others.Add(Guid.CreateVersion7());
        }

        await using (var users = await connection.BeginBinaryImportAsync(
            "COPY users (id, email, name, password_hash, role, plan_id, period_start, period_end, created_at) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var (id, n) in others.Select((id, n) => (id, n)))
            {
                await users.StartRowAsync();
                await users.WriteAsync(id, NpgsqlDbType.Uuid);
                await users.WriteAsync($"search-{n}@example.com", NpgsqlDbType.Text);
                await users.WriteAsync($"Search {n}", NpgsqlDbType.Text);
                await users.WriteAsync("not-a-hash", NpgsqlDbType.Text);
                await users.WriteAsync("user", NpgsqlDbType.Text);
                await users.WriteAsync("studio", NpgsqlDbType.Text);
                await users.WriteAsync(DateTime.UtcNow.AddDays(-1), NpgsqlDbType.TimestampTz);
                await users.WriteAsync(DateTime.UtcNow.AddDays(29), NpgsqlDbType.TimestampTz);
                await users.WriteAsync(DateTime.UtcNow.AddDays(-1), NpgsqlDbType.TimestampTz);
            }

            await users.CompleteAsync();
        }

        // One finished job per owner: the images' job_id; batch_index numbers the owner's images.
        var owners = new List<Guid> { userId };
        owners.AddRange(others);
        var jobs = owners.ToDictionary(o => o, _ => Guid.CreateVersion7());
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY jobs (id, user_id, status, prompt, model_id, width, height, steps, cfg_scale, scheduler, seed, batch_size, priority, reserved_credits, progress_step, progress_total, attempt, cancel_requested, created_at, finished_at) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var (owner, job) in jobs)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(job, NpgsqlDbType.Uuid);
                await copy.WriteAsync(owner, NpgsqlDbType.Uuid);
                await copy.WriteAsync("succeeded", NpgsqlDbType.Text);
                await copy.WriteAsync("bench", NpgsqlDbType.Text);
                await copy.WriteAsync("sd-1.5", NpgsqlDbType.Text);
                foreach (var value in new[] { 512, 512, 20 })
                {
                    await copy.WriteAsync(value, NpgsqlDbType.Integer);
                }

                await copy.WriteAsync(7.0, NpgsqlDbType.Double);
                await copy.WriteAsync("euler", NpgsqlDbType.Text);
                await copy.WriteAsync(1L, NpgsqlDbType.Bigint);
                foreach (var value in new[] { 1, 0, 0, 20, 20, 1 })
                {
                    await copy.WriteAsync(value, NpgsqlDbType.Integer);
                }

                await copy.WriteAsync(false, NpgsqlDbType.Boolean);
                await copy.WriteAsync(DateTime.UtcNow.AddYears(-1), NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(DateTime.UtcNow.AddYears(-1), NpgsqlDbType.TimestampTz);
            }

            await copy.CompleteAsync();
        }

        var folders = SearchPrompts.Folders.Select(_ => Guid.CreateVersion7()).ToList();
        await using (var copy = await connection.BeginBinaryImportAsync("COPY folders (id, user_id, name, created_at) FROM STDIN (FORMAT BINARY)"))
        {
            for (var f = 0; f < folders.Count; f++)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(folders[f], NpgsqlDbType.Uuid);
                await copy.WriteAsync(userId, NpgsqlDbType.Uuid);
                await copy.WriteAsync(SearchPrompts.Folders[f], NpgsqlDbType.Text);
                await copy.WriteAsync(DateTime.UtcNow.AddYears(-1), NpgsqlDbType.TimestampTz);
            }

            await copy.CompleteAsync();
        }

        await ExecuteAsync(connection, "DROP INDEX ix_image_search_user_text");

        // The measured user's images interleaved with everyone else's, as a shared server receives them.
        var prompts = new SearchPrompts(12);
        var tags = new List<(Guid Image, string Tag)>();
        var counts = owners.ToDictionary(o => o, _ => 0);
        var start = DateTimeOffset.UtcNow.AddYears(-1);
        var step = TimeSpan.FromTicks(TimeSpan.FromDays(365).Ticks / totalImages);
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY images (id, user_id, job_id, batch_index, seed, width, height, model_id, prompt, original_key, thumb_256_key, thumb_512_key, stored_bytes, metadata, created_at, folder_id, starred, negative_prompt, use_count, search_text) FROM STDIN (FORMAT BINARY)"))
        {
            for (var n = 0; n < totalImages; n++)
            {
                var mine = (long)n * userImages / totalImages != (long)(n + 1) * userImages / totalImages;
                var owner = mine ? userId : others[prompts.Random.Next(others.Count)];
                var at = start + (step * n);
                var id = Guid.CreateVersion7(at);
                var prompt = prompts.Prompt();
                var negative = prompts.Negative();
                var imageTags = mine && prompts.Random.Next(2) == 0 ? new[] { prompts.Pick(SearchPrompts.Tags) } : [];
                tags.AddRange(imageTags.Select(t => (id, t)));

                await copy.StartRowAsync();
                await copy.WriteAsync(id, NpgsqlDbType.Uuid);
                await copy.WriteAsync(owner, NpgsqlDbType.Uuid);
                await copy.WriteAsync(jobs[owner], NpgsqlDbType.Uuid);
                await copy.WriteAsync(counts[owner]++, NpgsqlDbType.Integer);
                await copy.WriteAsync((long)n, NpgsqlDbType.Bigint);
                await copy.WriteAsync(512, NpgsqlDbType.Integer);
                await copy.WriteAsync(512, NpgsqlDbType.Integer);
                await copy.WriteAsync(prompts.Model(), NpgsqlDbType.Text);
                await copy.WriteAsync(prompt, NpgsqlDbType.Text);
                await copy.WriteAsync($"b/{id:N}.png", NpgsqlDbType.Text);
                await copy.WriteAsync($"b/{id:N}_256.webp", NpgsqlDbType.Text);
                await copy.WriteAsync($"b/{id:N}_512.webp", NpgsqlDbType.Text);
                await copy.WriteAsync(600_000L, NpgsqlDbType.Bigint);
                await copy.WriteAsync("{}", NpgsqlDbType.Text);
                await copy.WriteAsync(at.UtcDateTime, NpgsqlDbType.TimestampTz);
                if (mine && prompts.Random.Next(10) < 3)
                {
                    await copy.WriteAsync(folders[prompts.Random.Next(folders.Count)], NpgsqlDbType.Uuid);
                }
                else
                {
                    await copy.WriteNullAsync();
                }

                await copy.WriteAsync(prompts.Random.Next(20) == 0, NpgsqlDbType.Boolean);
                if (negative is null)
                {
                    await copy.WriteNullAsync();
                }
                else
                {
                    await copy.WriteAsync(negative, NpgsqlDbType.Text);
                }

                await copy.WriteAsync(prompts.Random.Next(10) == 0 ? prompts.Random.Next(1, 30) : 0, NpgsqlDbType.Integer);
                await copy.WriteAsync(GalleryText.SearchText(prompt, negative, imageTags), NpgsqlDbType.Text);
                if (n % 100_000 == 99_999)
                {
                    Program.Log($"search: {n + 1} images copied");
                }
            }

            await copy.CompleteAsync();
        }

        await using (var copy = await connection.BeginBinaryImportAsync("COPY image_tags (image_id, user_id, tag) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var (image, tag) in tags)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(image, NpgsqlDbType.Uuid);
                await copy.WriteAsync(userId, NpgsqlDbType.Uuid);
                await copy.WriteAsync(tag, NpgsqlDbType.Text);
            }

            await copy.CompleteAsync();
        }
    }

    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<string?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (await command.ExecuteScalarAsync())?.ToString();
    }
}
