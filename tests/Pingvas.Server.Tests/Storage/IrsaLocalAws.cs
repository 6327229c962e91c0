using System.Collections.Concurrent;
using System.Globalization;
using System.Security;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pingvas.Server.Tests.Storage;

/// <summary>One call the local STS answered: the form fields and whether it came signed.</summary>
public sealed record StsCall(IReadOnlyDictionary<string, string> Form, bool HadAuthorization);

/// <summary>One request on its way to S3: method, path and the signing headers it carried.</summary>
public sealed record S3Call(string Method, string Path, string? Authorization, string? SecurityToken);

/// <summary>
/// What EKS gives a pod with IRSA, on loopback: an STS that answers <c>AssumeRoleWithWebIdentity</c> as
/// AWS documents it (query API, form-encoded POST, unsigned; the XML answer of the API reference, or an
/// <c>ErrorResponse</c> with 400), and a pass-through in front of the S3 server that records the signing
/// headers of every request. The STS issues the access key the S3 server accepts with a fresh session
/// token, so a request carrying that token was signed with the credentials STS returned.
/// </summary>
public sealed class IrsaLocalAws : IAsyncDisposable
{
    private readonly WebApplication sts;
    private readonly WebApplication proxy;
    private readonly HttpClient upstream = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(30) };
    private readonly ConcurrentQueue<StsCall> stsCalls = new();
    private readonly ConcurrentQueue<S3Call> s3Calls = new();
    private readonly string s3Url;

    private IrsaLocalAws(string s3Url, string accessKey, string secretKey)
    {
        this.s3Url = s3Url.TrimEnd('/');
        AccessKey = accessKey;
        SecretKey = secretKey;
        sts = Create();
        RunExtensions.Run(sts, AnswerStsAsync);
        proxy = Create();
        RunExtensions.Run(proxy, ForwardAsync);
    }

    public string RoleArn { get; } = "arn:aws:iam::123456789012:role/pingvas-test-s3";

    public string SessionToken { get; } = "IQoJb3JpZ2luX2VjE" + Guid.NewGuid().ToString("N");

    public string AccessKey { get; }

    public string SecretKey { get; }

    /// <summary>The web identity token the pod's projected service-account volume would hold.</summary>
    public string WebIdentityToken { get; } = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6cGluZ3ZhczpwaW5ndmFzIn0." + Guid.NewGuid().ToString("N");

    public string StsUrl => Address(sts);

    /// <summary>The S3 endpoint to configure: requests pass through to the real S3 server.</summary>
    public string S3Url => Address(proxy);

    public IReadOnlyList<StsCall> StsCalls => [.. stsCalls];

    public IReadOnlyList<S3Call> S3Calls => [.. s3Calls];

    /// <summary>Starts both listeners; STS issues <paramref name="accessKey"/>/<paramref name="secretKey"/> (what the S3 server accepts).</summary>
    public static async Task<IrsaLocalAws> StartAsync(string s3Url, string accessKey, string secretKey)
    {
        var aws = new IrsaLocalAws(s3Url, accessKey, secretKey);
        await aws.sts.StartAsync();
        await aws.proxy.StartAsync();
        return aws;
    }

    public async ValueTask DisposeAsync()
    {
        await sts.DisposeAsync();
        await proxy.DisposeAsync();
        upstream.Dispose();
    }

    private static WebApplication Create()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        return builder.Build();
    }

    private static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');

    private async Task AnswerStsAsync(HttpContext context)
    {
        if (context.Request.Method != "POST" || !context.Request.HasFormContentType)
        {
            await ErrorAsync(context, "InvalidAction", "Could not find operation for this request.");
            return;
        }

        var form = (await context.Request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.ToString());
        stsCalls.Enqueue(new StsCall(form, context.Request.Headers.Authorization.Count > 0));
        if (form.GetValueOrDefault("Action") != "AssumeRoleWithWebIdentity" || form.GetValueOrDefault("Version") != "2011-06-15")
        {
            await ErrorAsync(context, "InvalidAction", "Could not find operation for this request.");
            return;
        }

        if (form.GetValueOrDefault("WebIdentityToken") != WebIdentityToken)
        {
            await ErrorAsync(context, "InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider.");
            return;
        }

        if (form.GetValueOrDefault("RoleArn") != RoleArn || string.IsNullOrEmpty(form.GetValueOrDefault("RoleSessionName")))
        {
            await ErrorAsync(context, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity");
            return;
        }

        var session = form["RoleSessionName"];
        var expiration = DateTime.UtcNow.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        context.Response.ContentType = "text/xml";
        await context.Response.WriteAsync($"""
            <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <AssumeRoleWithWebIdentityResult>
                <SubjectFromWebIdentityToken>system:serviceaccount:pingvas:pingvas</SubjectFromWebIdentityToken>
                <Audience>sts.amazonaws.com</Audience>
                <AssumedRoleUser>
                  <Arn>arn:aws:sts::123456789012:assumed-role/pingvas-test-s3/{SecurityElement.Escape(session)}</Arn>
                  <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:{SecurityElement.Escape(session)}</AssumedRoleId>
                </AssumedRoleUser>
                <Credentials>
                  <SessionToken>{SessionToken}</SessionToken>
                  <SecretAccessKey>{SecretKey}</SecretAccessKey>
                  <Expiration>{expiration}</Expiration>
                  <AccessKeyId>{AccessKey}</AccessKeyId>
                </Credentials>
                <Provider>arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE</Provider>
              </AssumeRoleWithWebIdentityResult>
              <ResponseMetadata>
                <RequestId>{Guid.NewGuid()}</RequestId>
              </ResponseMetadata>
            </AssumeRoleWithWebIdentityResponse>
            """);
    }

    private static async Task ErrorAsync(HttpContext context, string code, string message)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "text/xml";
        await context.Response.WriteAsync($"""
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <Error><Type>Sender</Type><Code>{code}</Code><Message>{SecurityElement.Escape(message)}</Message></Error>
              <RequestId>{Guid.NewGuid()}</RequestId>
            </ErrorResponse>
            """);
    }

    /// <summary>Records the signing headers, then passes the request through unchanged (the S3 server does not check signatures).</summary>
    private async Task ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        s3Calls.Enqueue(new S3Call(request.Method, request.Path + request.QueryString, request.Headers.Authorization.FirstOrDefault(), request.Headers["X-Amz-Security-Token"].FirstOrDefault()));

        using var message = new HttpRequestMessage(new HttpMethod(request.Method), s3Url + request.Path + request.QueryString);
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            message.Content = new StreamContent(request.Body);
        }

        foreach (var (name, values) in request.Headers)
        {
            if (name is "Host" or "Expect" or "Transfer-Encoding" or "Connection")
            {
                continue;
            }

            if (!message.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        using var response = await upstream.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (name is not ("Transfer-Encoding" or "Connection"))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }
}
