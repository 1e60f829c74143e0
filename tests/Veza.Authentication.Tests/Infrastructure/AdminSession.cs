using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Veza.Authentication.Tests.Infrastructure;

/// <summary>
/// One user's browser on the Administration pages, without a browser: the test sign-in header for the user, the cookies
/// the server sets (antiforgery), and the antiforgery token of the last page read, which the next form posts.
/// </summary>
internal sealed partial class AdminSession(VezaTestHost host, string? user)
{
    private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);

    /// <summary>The antiforgery token of the last page that had a form.</summary>
    public string? Token { get; private set; }

    /// <summary>Starts a host with the pages mounted at <c>/admin</c>.</summary>
    public static Task<VezaTestHost> StartHostAsync(Action<IServiceCollection>? services = null)
        => VezaTestHost.StartAsync(
            services: s =>
            {
                s.AddVezaAdministration();
                services?.Invoke(s);
            },
            endpoints: app => app.MapVezaAdministration("/admin"));

    public async Task<AdminPage> GetAsync(string path, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }

        return await SendAsync(request);
    }

    /// <summary>Posts a form with the token of the last page read (or the one given, or none).</summary>
    public async Task<AdminPage> PostAsync(string path, IEnumerable<KeyValuePair<string, string>>? fields = null, string? token = null, bool withToken = true)
    {
        var form = (fields ?? []).ToList();
        var posted = token ?? Token;
        if (withToken && posted is not null)
        {
            form.Add(new("__RequestVerificationToken", posted));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        return await SendAsync(request);
    }

    /// <summary>Reads a page (for its token), then posts the form.</summary>
    public async Task<AdminPage> SubmitAsync(string formPage, string path, params (string Name, string Value)[] fields)
    {
        var page = await GetAsync(formPage);
        Assert.That(page.Status, Is.EqualTo(HttpStatusCode.OK), page.Html);
        return await PostAsync(path, fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));
    }

    private async Task<AdminPage> SendAsync(HttpRequestMessage request)
    {
        if (user is not null)
        {
            request.Headers.Add(TestSignInHandler.UserHeader, user);
        }

        if (_cookies.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => c.Key + "=" + c.Value)));
        }

        using var response = await host.Client.SendAsync(request);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            foreach (var cookie in setCookies)
            {
                var pair = cookie.Split(';', 2)[0].Split('=', 2);
                _cookies[pair[0]] = pair[1];
            }
        }

        var html = await response.Content.ReadAsStringAsync();
        if (TokenField().Match(html) is { Success: true } match)
        {
            Token = WebUtility.HtmlDecode(match.Groups[1].Value);
        }

        return new AdminPage(response.StatusCode, html, response.Headers.Location?.OriginalString,
            response.Headers.Concat(response.Content.Headers).ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}

/// <summary>A page as the server answered it.</summary>
internal sealed partial record AdminPage(HttpStatusCode Status, string Html, string? Location, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The text of the element with this id (tags removed, entities decoded).</summary>
    public string? TextOf(string id)
    {
        var match = Regex.Match(Html, $"id=\"{Regex.Escape(id)}\"[^>]*>(.*?)</", RegexOptions.Singleline);
        return match.Success ? WebUtility.HtmlDecode(Tags().Replace(match.Groups[1].Value, string.Empty)).Trim() : null;
    }

    public bool Has(string id) => Html.Contains($"id=\"{id}\"", StringComparison.Ordinal);

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();
}
