using System.Net;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

[TestFixture]
public sealed class BadAuthorizationHeaderTests
{
    private VezaTestHost _host = null!;
    private string _key = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = await VezaTestHost.StartAsync();
        (_, _key) = await _host.CreatePersonalKeyAsync(ViewerA, TeamA);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private async Task<HttpResponseMessage> SendRawAsync(params string[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        foreach (var header in headers)
        {
            request.Headers.TryAddWithoutValidation("Authorization", header);
        }

        return await _host.Client.SendAsync(request);
    }

    [TestCase("")]
    [TestCase("Bearer")]
    [TestCase("Bearer ")]
    [TestCase("Basic dXNlcjpwYXNz")]
    [TestCase("Token veza_abc")]
    [TestCase("Bearer not-a-veza-token")]
    [TestCase("Bearerveza_0123")]
    public async Task Empty_or_foreign_headers_get_401_with_a_bearer_challenge(string header)
    {
        var response = await SendRawAsync(header);

        await ErrorAssertions.AssertErrorAsync(response, HttpStatusCode.Unauthorized, 16);
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.StartWith("Bearer"));
    }

    [Test]
    public async Task Duplicated_authorization_headers_get_401_invalid_request()
    {
        var response = await SendRawAsync("Bearer " + _key, "Bearer " + _key);

        await ErrorAssertions.AssertErrorAsync(response, HttpStatusCode.Unauthorized, 16, "INVALID_AUTHORIZATION_HEADER");
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.Contain("error=\"invalid_request\""));
    }

    [Test]
    public async Task Oversized_header_of_64_KiB_gets_401()
    {
        var response = await SendRawAsync("Bearer veza_" + new string('a', 64 * 1024));

        await ErrorAssertions.AssertErrorAsync(response, HttpStatusCode.Unauthorized, 16, "INVALID_TOKEN");
    }

    [Test]
    public async Task Non_ascii_key_gets_401()
    {
        var mangled = _key[..30] + "ü" + _key[31..];
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + mangled);

        var response = await _host.Client.SendAsync(request);

        await ErrorAssertions.AssertErrorAsync(response, HttpStatusCode.Unauthorized, 16, "INVALID_TOKEN");
    }

    [Test]
    public async Task Bad_checksum_is_rejected_without_asking_the_store()
    {
        var before = _host.Logs.Lines.Count;
        var typo = _key[..^3] + (_key[^3] == 'x' ? 'y' : 'x') + _key[^2..];

        var response = await SendRawAsync("Bearer " + typo);

        await ErrorAssertions.AssertErrorAsync(response, HttpStatusCode.Unauthorized, 16, "INVALID_TOKEN");
        Assert.That(_host.Logs.Lines.Skip(before), Has.Some.Contains("malformed key or bad checksum"));
    }

    [Test]
    public async Task Nothing_logged_ever_contains_a_secret()
    {
        ApiKeyFormat.TryParse(_key, "veza", out var id, out var secret);
        await SendRawAsync("Bearer " + _key);
        await SendRawAsync("Bearer " + ApiKeyFormat.Generate("veza", id));
        await SendRawAsync("Bearer " + _key[..^1] + "0");
        await SendRawAsync("Bearer " + _key, "Bearer " + _key);

        Assert.That(_host.Logs.AllText, Does.Not.Contain(secret));
        Assert.That(_host.Logs.AllText, Does.Contain(id), "the key id, which is public, is logged to help operators\n" + _host.Logs.AllText);
    }
}
