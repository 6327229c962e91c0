using System.Net;
using System.Net.Http.Json;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>Bad input to the account endpoints: a 400 validation_failed problem with field errors, never a 500 or a stack trace.</summary>
public sealed class ValidationTests(DefaultServer fixture) : IClassFixture<DefaultServer>, IDisposable
{
    private const string GoodPassword = "0123456789";
    private readonly PingvasServer server = fixture.Server;
    private readonly HttpClient anonymous = fixture.Server.CreateClient();

    public void Dispose() => anonymous.Dispose();

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not-an-email")]
    [InlineData("no-domain@")]
    [InlineData("@example.com")]
    [InlineData("two@@example.com")]
    [InlineData("a@b@example.com")]
    [InlineData("user@localhost")]
    [InlineData("user@.example.com")]
    [InlineData("user@example.com.")]
    [InlineData("with space@example.com")]
    [InlineData("Display Name <user@example.com>")]
    public async Task A_malformed_email_is_refused_with_an_email_error(string email)
    {
        var response = await RegisterAsync(email, GoodPassword, "Name");
        await ProblemAssert.ValidationAsync(response, "email");
    }

    [Fact]
    public async Task An_email_longer_than_254_characters_is_refused()
    {
        var email = new string('a', 64) + "@" + new string('b', 180) + ".example.com";
        Assert.True(email.Length > 254);
        await ProblemAssert.ValidationAsync(await RegisterAsync(email, GoodPassword, "Name"), "email");
    }

    [Fact]
    public async Task A_password_needs_at_least_ten_characters()
    {
        var nine = await RegisterAsync(NewEmail(), "123456789", "Name");
        var problem = await ProblemAssert.ValidationAsync(nine, "password");
        Assert.Contains("10", problem.Errors!["password"][0]);

        Assert.Equal(HttpStatusCode.Created, (await RegisterAsync(NewEmail(), GoodPassword, "Name")).StatusCode);
    }

    [Fact]
    public async Task A_missing_or_absurdly_long_password_is_refused()
    {
        await ProblemAssert.ValidationAsync(await anonymous.PostAsJsonAsync("/api/v1/auth/register", new { email = NewEmail(), name = "Name" }), "password");
        await ProblemAssert.ValidationAsync(await RegisterAsync(NewEmail(), new string('p', 257), "Name"), "password");
        Assert.Equal(HttpStatusCode.Created, (await RegisterAsync(NewEmail(), new string('p', 256), "Name")).StatusCode);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public async Task A_name_must_have_1_to_100_characters(int length)
    {
        await ProblemAssert.ValidationAsync(await RegisterAsync(NewEmail(), GoodPassword, new string('n', length)), "name");
    }

    [Fact]
    public async Task A_blank_or_missing_name_is_refused_and_100_characters_are_accepted()
    {
        await ProblemAssert.ValidationAsync(await RegisterAsync(NewEmail(), GoodPassword, "   "), "name");
        await ProblemAssert.ValidationAsync(await anonymous.PostAsJsonAsync("/api/v1/auth/register", new { email = NewEmail(), password = GoodPassword }), "name");

        var ok = await RegisterAsync(NewEmail(), GoodPassword, new string('n', 100));
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        Assert.Equal(new string('n', 100), (await ok.Content.ReadFromJsonAsync<AuthBody>(Json.Options))!.User.Name);
    }

    [Fact]
    public async Task Every_bad_field_is_reported_at_once_and_nothing_is_created()
    {
        var email = "not-an-email";
        var response = await RegisterAsync(email, "short", "");
        var problem = await ProblemAssert.ValidationAsync(response, "email", "password", "name");
        Assert.Equal("https://pingvas.studio/problems/validation-failed", problem.Type);

        var users = await server.QueryDbAsync(db => Task.FromResult(db.Users.Count(u => u.Email == email)));
        Assert.Equal(0, users);
    }

    [Theory]
    [InlineData("/api/v1/auth/register", "{\"email\": \"a@example.com\", \"password\": ")]
    [InlineData("/api/v1/auth/register", "{not json at all}")]
    [InlineData("/api/v1/auth/register", "{\"email\": 42, \"password\": \"0123456789\", \"name\": \"N\"}")]
    [InlineData("/api/v1/auth/register", "[1, 2, 3]")]
    [InlineData("/api/v1/auth/login", "{\"email\": \"a@example.com\", \"password\": true}")]
    [InlineData("/api/v1/auth/refresh", "\"just a string\"")]
    public async Task A_body_that_is_not_valid_json_for_the_endpoint_is_a_400_validation_problem(string path, string body)
    {
        var response = await anonymous.PostAsync(path, ProblemAssert.Raw(body));
        var problem = await ProblemAssert.ValidationAsync(response, "body");
        Assert.Equal("The body is not valid JSON for this endpoint.", problem.Detail);
        Assert.Equal("https://pingvas.studio/problems/validation-failed", problem.Type);
    }

    [Fact]
    public async Task An_empty_body_is_a_400_validation_problem()
    {
        var response = await anonymous.PostAsync("/api/v1/auth/login", ProblemAssert.Raw(""));
        var problem = await ProblemAssert.ValidationAsync(response, "body");
        Assert.Equal("A JSON body is required.", problem.Detail);
    }

    [Fact]
    public async Task A_body_that_is_not_json_at_all_is_415()
    {
        var response = await anonymous.PostAsync("/api/v1/auth/login", ProblemAssert.Raw("email=a@example.com&password=x", "application/x-www-form-urlencoded"));
        await ProblemAssert.ReadAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task A_malformed_generation_request_is_a_400_validation_problem_too()
    {
        var user = await server.RegisterAsync();
        var response = await user.Client.PostAsync("/api/v1/generations", ProblemAssert.Raw("{\"prompt\": \"x\", \"width\": \"wide\"}"));
        await ProblemAssert.ValidationAsync(response, "body");

        var overflow = await user.Client.PostAsync("/api/v1/generations", ProblemAssert.Raw("{\"prompt\": \"x\", \"model\": \"sd-1.5\", \"width\": 99999999999}"));
        await ProblemAssert.ValidationAsync(overflow, "body");
        Assert.Equal(100, (await user.MeAsync()).Credits.Balance);
    }

    private Task<HttpResponseMessage> RegisterAsync(string email, string password, string name) =>
        anonymous.PostAsJsonAsync("/api/v1/auth/register", new { email, password, name });

    private static string NewEmail() => $"user-{Guid.NewGuid():N}@example.com";
}
