using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Veza.Authentication.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Veza.Authentication.Tests;

/// <summary>
/// The sample's sign-in page, which hosts copy: its password checks go through the library's throttle, Argon2id bound
/// and fingerprints, and a return URL that cannot go into a Location header is never a 500.
/// </summary>
[TestFixture]
public sealed partial class SampleSignInTests
{
    private const string ClientIpHeader = "X-Test-Client-Ip";
    private WebApplicationFactory<Program> _factory = null!;
    private SampleDatabase _database = null!;

    [SetUp]
    public void Start() => _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => (_database = new SampleDatabase()).Use(b)
        .UseEnvironment("Development")
        .ConfigureServices(s => s.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter>(new ClientAddressFromHeader())));

    [TearDown]
    public async Task StopAsync()
    {
        await _factory.DisposeAsync();
        _database.Dispose();
    }

    private HttpClient Browser() => _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string username, string password, string? returnUrl = null, string? clientIp = null)
    {
        var page = await (await browser.GetAsync("/account/signin")).Content.ReadAsStringAsync();
        var token = AntiforgeryField().Match(page);
        Assert.That(token.Success, page);
        var request = new HttpRequestMessage(HttpMethod.Post, "/account/signin")
        {
            Content = new FormUrlEncodedContent(
            [
                new(WebUtility.HtmlDecode(token.Groups["name"].Value), WebUtility.HtmlDecode(token.Groups["value"].Value)),
                new("username", username),
                new("password", password),
                new("returnUrl", returnUrl ?? string.Empty),
            ]),
        };
        if (clientIp is not null)
        {
            request.Headers.Add(ClientIpHeader, clientIp);
        }

        return await browser.SendAsync(request);
    }

    [Test]
    public async Task Thirty_wrong_passwords_from_one_address_are_throttled_after_ten_and_another_address_still_signs_in()
    {
        using var attacker = Browser();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 30; i++)
        {
            last = await SignInAsync(attacker, "root-admin", $"wrong-password-{i}", clientIp: "198.51.100.9");
            statuses.Add(last.StatusCode);
        }

        using var user = Browser();
        var elsewhere = await SignInAsync(user, "root-admin", "root-admin-sample-password", clientIp: "203.0.113.20");

        Assert.Multiple(() =>
        {
            Assert.That(statuses.Take(10), Is.All.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(statuses.Skip(10), Is.All.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(last!.Headers.RetryAfter, Is.Not.Null);
            Assert.That(elsewhere.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        });
    }

    [Test]
    public async Task An_unknown_user_counts_as_a_failure_and_gets_the_same_answer_as_a_wrong_password()
    {
        using var browser = Browser();

        var unknown = await SignInAsync(browser, "nobody", "whatever-password");
        var wrong = await SignInAsync(browser, "root-admin", "whatever-password");

        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await unknown.Content.ReadAsStringAsync(), Does.Contain("the username or password is incorrect"));
    }

    [TestCase("/\u00e9")]
    [TestCase("/caf\u00e9?x=\u00fc")]
    [TestCase("/a b")]
    [TestCase("/a\r\nSet-Cookie: x=1")]
    public async Task A_return_url_that_cannot_be_a_location_sends_the_user_to_the_sign_in_page_after_a_correct_password(string returnUrl)
    {
        using var browser = Browser();

        var response = await SignInAsync(browser, "root-admin", "root-admin-sample-password", returnUrl);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo("/account/signin"));
    }

    [Test]
    public async Task A_local_return_url_is_followed()
    {
        using var browser = Browser();

        var response = await SignInAsync(browser, "root-admin", "root-admin-sample-password", "/oauth2/authorize?client_id=sample-webapp&state=%C3%A9");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo("/oauth2/authorize?client_id=sample-webapp&state=%C3%A9"));
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>__RequestVerificationToken[^\"]*)\" value=\"(?<value>[^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    // Lets a test speak from a chosen client address (the test server has none).
    private sealed class ClientAddressFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (context.Request.Headers.TryGetValue(ClientIpHeader, out var ip) && IPAddress.TryParse(ip.ToString(), out var address))
                {
                    context.Connection.RemoteIpAddress = address;
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
