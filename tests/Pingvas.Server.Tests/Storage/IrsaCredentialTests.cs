using Pingvas.Server.Storage;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Storage;

/// <summary>
/// IRSA as EKS sets it up: no S3 keys, <c>AWS_ROLE_ARN</c> + <c>AWS_WEB_IDENTITY_TOKEN_FILE</c> in the
/// environment. The real executable (<c>pingvas storage-reconcile</c>, in its own process so the
/// environment is its own) must get temporary credentials from STS through the SDK's default chain
/// (which needs <c>AWSSDK.SecurityToken</c>) and sign every S3 request with them; configured static
/// keys still win. STS is reached through <c>AWS_ENDPOINT_URL_STS</c>, the SDK's standard override.
/// </summary>
public sealed class IrsaCredentialTests(S3ServerFixture fixture) : IClassFixture<S3ServerFixture>
{
    [Fact]
    public async Task Without_keys_s3_requests_are_signed_with_web_identity_credentials_and_static_keys_still_win()
    {
        var s3 = fixture.Server;
        await using var aws = await IrsaLocalAws.StartAsync(s3.ServiceUrl, S3Server.AccessKey, S3Server.SecretKey);
        var dataPath = Path.Combine(Path.GetTempPath(), "pingvas-tests", Guid.NewGuid().ToString("N"));
        var logs = Path.Combine(dataPath, "logs");
        Directory.CreateDirectory(dataPath);
        try
        {
            // The projected service-account token, as the EKS pod identity webhook mounts it.
            var tokenFile = Path.Combine(dataPath, "eks-token");
            await File.WriteAllTextAsync(tokenFile, aws.WebIdentityToken);
            var environment = new Dictionary<string, string>
            {
                ["Storage__Provider"] = "s3",
                ["Storage__S3__ServiceUrl"] = aws.S3Url,
                ["Storage__S3__Bucket"] = s3.Bucket,
                ["AWS_ROLE_ARN"] = aws.RoleArn,
                ["AWS_WEB_IDENTITY_TOKEN_FILE"] = tokenFile,
                ["AWS_ROLE_SESSION_NAME"] = "pingvas-test",
                ["AWS_ENDPOINT_URL_STS"] = aws.StsUrl,
                ["AWS_REGION"] = "us-east-1",

                // Nothing of this machine's own AWS setup may answer before the web identity.
                ["AWS_ACCESS_KEY_ID"] = "",
                ["AWS_SECRET_ACCESS_KEY"] = "",
                ["AWS_SESSION_TOKEN"] = "",
                ["AWS_PROFILE"] = "",
                ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(dataPath, "no-credentials"),
                ["AWS_CONFIG_FILE"] = Path.Combine(dataPath, "no-config"),
                ["AWS_EC2_METADATA_DISABLED"] = "true",
            };
            var (exit, log) = await PingvasProcess.RunToExitAsync("migrate", environment, dataPath, logs);
            Assert.True(exit == 0, $"migrate exited with {exit}:\n{log}");

            // An object no row refers to: the reconcile lists, reads, writes and deletes on S3 to move it.
            using var direct = s3.CreateStore();
            var orphan = ObjectKeys.Original(Guid.NewGuid(), Guid.NewGuid());
            await direct.PutAsync(orphan, new byte[] { 1, 2, 3 }, "image/png", CancellationToken.None);

            (exit, log) = await PingvasProcess.RunToExitAsync("storage-reconcile", environment, dataPath, logs, arguments: ["--apply", "--min-age", "0"]);
            Assert.True(exit == 0, $"storage-reconcile exited with {exit}:\n{log}");
            Assert.Contains("quarantined: 1", log, StringComparison.Ordinal);
            Assert.True(await direct.ExistsAsync(ReconcileRun.QuarantinePrefix + orphan, CancellationToken.None));
            Assert.False(await direct.ExistsAsync(orphan, CancellationToken.None));

            // STS got the documented, unsigned AssumeRoleWithWebIdentity with the role and the token file's contents.
            Assert.NotEmpty(aws.StsCalls);
            foreach (var call in aws.StsCalls)
            {
                Assert.Equal("AssumeRoleWithWebIdentity", call.Form["Action"]);
                Assert.Equal(aws.RoleArn, call.Form["RoleArn"]);
                Assert.Equal(aws.WebIdentityToken, call.Form["WebIdentityToken"]);
                Assert.Equal("pingvas-test", call.Form["RoleSessionName"]);
                Assert.False(call.HadAuthorization);
            }

            // Every S3 request was signed with the temporary key and carried the session token.
            var signed = aws.S3Calls;
            Assert.Contains(signed, c => c.Method == "GET" && c.Path.Contains("list-type=2", StringComparison.Ordinal));
            Assert.Contains(signed, c => c.Method == "PUT" && c.Path == $"/{s3.Bucket}/{ReconcileRun.QuarantinePrefix}{orphan}");
            Assert.Contains(signed, c => c.Method == "DELETE" && c.Path == $"/{s3.Bucket}/{orphan}");
            Assert.All(signed, c =>
            {
                Assert.Equal(aws.SessionToken, c.SecurityToken);
                Assert.StartsWith("AWS4-HMAC-SHA256 Credential=" + aws.AccessKey + "/", c.Authorization, StringComparison.Ordinal);
            });

            // Static keys configured: used as they are, STS is never asked, no session token is sent.
            var stsBefore = aws.StsCalls.Count;
            var s3Before = signed.Count;
            environment["Storage__S3__AccessKey"] = S3Server.AccessKey;
            environment["Storage__S3__SecretKey"] = S3Server.SecretKey;
            (exit, log) = await PingvasProcess.RunToExitAsync("storage-reconcile", environment, dataPath, logs);
            Assert.True(exit == 0, $"storage-reconcile with static keys exited with {exit}:\n{log}");
            Assert.Equal(stsBefore, aws.StsCalls.Count);
            var later = aws.S3Calls.Skip(s3Before).ToList();
            Assert.NotEmpty(later);
            Assert.All(later, c => Assert.Null(c.SecurityToken));
        }
        finally
        {
            Directory.Delete(dataPath, recursive: true);
        }
    }
}
