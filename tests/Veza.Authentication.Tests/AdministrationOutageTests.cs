using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Moq;
using Veza.Authentication.OAuth2;
using Veza.Authentication.Stores;
using Veza.Authentication.Tests.Infrastructure;
using static Veza.Authentication.Tests.Infrastructure.VezaTestHost;

namespace Veza.Authentication.Tests;

/// <summary>A store that fails shows a page in words (503), never a stack trace; and the consent page words scopes
/// that have no description of their own.</summary>
[TestFixture]
public sealed class AdministrationOutageTests
{
    [Test]
    public async Task A_key_store_outage_shows_a_clear_message_and_no_details()
    {
        var store = new Mock<IApiKeyStore>();
        store.Setup(s => s.ListAsync(It.IsAny<ApiKeyQuery>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new TimeoutException("connection to db-7.internal:5432 timed out"));
        await using var host = await AdminSession.StartHostAsync(s => s.Replace(ServiceDescriptor.Singleton(store.Object)));
        var page = await new AdminSession(host, AdminA).GetAsync("/admin/api-keys/team");
        Assert.Multiple(() =>
        {
            Assert.That(page.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(page.TextOf("page-error"), Does.Contain("cannot be reached right now"));
            Assert.That(page.Html, Does.Not.Contain("db-7").And.Not.Contain("TimeoutException").And.Not.Contain(" at "));
            Assert.That(page.Headers["Retry-After"], Is.EqualTo("5"));
        });
    }

    [Test]
    public async Task An_unexpected_failure_shows_a_page_without_the_exception()
    {
        var store = new Mock<IApiKeyStore>();
        store.Setup(s => s.ListAsync(It.IsAny<ApiKeyQuery>(), It.IsAny<CancellationToken>())).Returns(() => throw new InvalidOperationException("secret detail"));
        await using var host = await AdminSession.StartHostAsync(s => s.Replace(ServiceDescriptor.Singleton(store.Object)));
        var page = await new AdminSession(host, AdminA).GetAsync("/admin/api-keys/team");
        Assert.That(page.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable).Or.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(page.Html, Does.Not.Contain("secret detail").And.Not.Contain("InvalidOperationException"));
        Assert.That(page.Has("page-error"), Is.True);
    }

    [Test]
    public async Task The_consent_page_shows_a_scope_without_words_once_by_its_name()
    {
        var context = new DefaultHttpContext();
        context.Request.Path = "/oauth2/authorize";
        context.Response.Body = new MemoryStream();
        await new DefaultConsentPage().RenderAsync(context, new VezaConsentPageModel
        {
            AppName = "Explorer", AppId = "explorer", BaseUrl = "https://explorer.example.com", UserName = "Ada",
            Scopes = [new VezaScopeText("graph:read", "graph:read"), new VezaScopeText("users:read", "Read users")],
            Teams = [new VezaTeam("a", "Team A", false)], FormAction = "/oauth2/authorize?x=1", AntiforgeryField = "f", AntiforgeryToken = "t",
        }, CancellationToken.None);
        var html = System.Text.Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
        Assert.That(html, Does.Contain("<li><code>graph:read</code></li>").And.Not.Contain("graph:read (graph:read)").And.Not.Contain("(<code>graph:read</code>)"));
        Assert.That(html, Does.Contain("Read users <span class=\"muted\">(<code>users:read</code>)</span>"));
        Assert.That(html, Does.Contain("<link rel=\"stylesheet\" href=\"/oauth2/authorize/veza.css?v=").And.Not.Contain("<style"));
    }
}
