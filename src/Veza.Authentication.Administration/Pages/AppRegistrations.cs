using Microsoft.Extensions.Primitives;
using Veza.Authentication.Administration.Hosting;
using Veza.Authentication.Administration.Rendering;
using Veza.Authentication.Hosting;
using Veza.Authentication.OAuth2;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Administration.Pages;

/// <summary>The OAuth2 Apps tab, through <see cref="OAuthAppService"/>: Veza's form (Client Name, Base URL, the
/// redirect URIs, "Allow any redirect URI without validation", the allowed scopes). Root-team administrators only.</summary>
internal sealed class AppRegistrations : Registrations
{
    public override OAuthClientKind Kind => OAuthClientKind.App;

    public override string Slug => "apps";

    public override string Title => "OAuth2 Apps";

    public override string Noun => "app";

    public override bool IsVisibleTo(AdminRequest request) => request.Caller.IsRootAdministrator;

    public override bool IsAvailable(AdminRequest request) => StoreRegistrations.HasOAuth2Apps(request.Http.RequestServices);

    public override bool MayAdd(AdminRequest request) => request.Caller.IsRootAdministrator;

    private static OAuthAppService Apps(AdminRequest request) => request.Service<OAuthAppService>();

    public override ValueTask<OAuthClientListing> ListAsync(AdminRequest request, OAuthClientQuery query) => Apps(request).ListAsync(query, request.Caller, request.Aborted);

    public override ValueTask<OAuthClientChange> GetAsync(AdminRequest request, string id) => Apps(request).GetAsync(id, request.Caller, request.Aborted);

    public override ValueTask<OAuthClientChange> CreateAsync(AdminRequest request)
    {
        var (draft, refusal) = DraftFrom(request, string.Empty);
        return draft is null ? ValueTask.FromResult(refusal!) : Apps(request).CreateAsync(draft, request.Caller, request.Aborted);
    }

    // The posted form on top of what is stored: whether the app is public, and its loopback switch, are not on the form.
    public override ValueTask<OAuthClientChange> UpdateAsync(AdminRequest request, string id)
    {
        var (draft, refusal) = DraftFrom(request, string.Empty);
        return draft is null ? ValueTask.FromResult(refusal!)
            : Apps(request).EditAsync(id, app => draft with
            {
                IsPublic = app.App?.IsPublic == true,
                AllowLoopbackRedirectUris = app.App?.AllowLoopbackRedirectUris == true,
            }, request.Caller, request.Aborted);
    }

    // The app the posted form describes, or why a value cannot even be read.
    private static (OAuthAppDraft? Draft, OAuthClientChange? Refusal) DraftFrom(AdminRequest request, string teamId)
    {
        var (lifetime, lifetimeError) = Lifetime(request);
        if (lifetimeError is not null)
        {
            return (null, new OAuthClientChange(OAuthClientResult.Invalid, Error: lifetimeError));
        }

        return (new OAuthAppDraft
        {
            Name = request.Field("name"),
            TeamId = teamId,
            BaseUrl = request.Field("base_url"),
            RedirectUris = [.. request.Field("redirect_uris").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
            AllowAnyRedirectUri = request.Field("allow_any_redirect_uri") == "on",
            AllowedScopes = [.. request.Form["scopes"].Select(s => s ?? string.Empty)],
            AccessTokenLifetime = lifetime,
        }, null);
    }

    public override Dictionary<string, StringValues>? ValuesOf(OAuthClientRecord registration) => new(StringComparer.Ordinal)
    {
        ["name"] = registration.Name,
        ["base_url"] = registration.App?.BaseUrl ?? string.Empty,
        ["redirect_uris"] = string.Join(", ", registration.App?.RedirectUris ?? []),
        ["allow_any_redirect_uri"] = registration.App?.AllowAnyRedirectUri == true ? "on" : string.Empty,
        ["scopes"] = new StringValues([.. registration.AllowedScopes]),
        ["access_token_lifetime"] = ((int)registration.AccessTokenLifetime.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    // An app keeps everything but its name, read from the store within the same change.
    public override ValueTask<OAuthClientChange> RenameAsync(AdminRequest request, string id, string name)
        => Apps(request).EditAsync(id, app => new OAuthAppDraft
        {
            Name = name,
            TeamId = app.TeamId,
            BaseUrl = app.App?.BaseUrl ?? string.Empty,
            RedirectUris = app.App?.RedirectUris ?? [],
            AllowedScopes = app.AllowedScopes,
            IsPublic = app.App?.IsPublic == true,
            AllowAnyRedirectUri = app.App?.AllowAnyRedirectUri == true,
            AllowLoopbackRedirectUris = app.App?.AllowLoopbackRedirectUris == true,
            AccessTokenLifetime = app.AccessTokenLifetime,
        }, request.Caller, request.Aborted);

    public override ValueTask<OAuthClientChange> RevokeAsync(AdminRequest request, string id) => Apps(request).RevokeAsync(id, request.Caller, request.Aborted);

    public override ValueTask<OAuthClientChange> ReinstateAsync(AdminRequest request, string id) => Apps(request).ReinstateAsync(id, request.Caller, request.Aborted);

    public override ValueTask<OAuthClientChange> DeleteAsync(AdminRequest request, string id) => Apps(request).DeleteAsync(id, request.Caller, request.Aborted);

    public override ValueTask<OAuthClientChange> AddSecretAsync(AdminRequest request, string id) => Apps(request).AddSecretAsync(id, null, request.Caller, request.Aborted);

    public override ValueTask<OAuthClientChange> RemoveSecretAsync(AdminRequest request, string id, string secretId)
        => Apps(request).RemoveSecretAsync(id, secretId, request.Caller, request.Aborted);

    public override ValueTask<Markup> FieldsAsync(AdminRequest request, FieldErrors errors)
    {
        var anyChecked = request.Field("allow_any_redirect_uri") == "on";
        var scopes = request.Veza.Roles.Values.SelectMany(p => p).Append(OAuthServerOptions.OfflineAccessScope).Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        var html = new Html()
            .Add(Frame.TextField("name", "Client Name", request.Field("name"), errors["name"], "The name users see when the app asks for their consent."))
            .Add(Frame.TextField("base_url", "Base URL", request.Field("base_url"), errors["base_url"],
                "The app's address, such as https://app.example.com. Redirect URIs must use its scheme and lie in its host or a subdomain.", "url"))
            .Add($"<div class=\"choice\"><input type=\"checkbox\" id=\"allow_any_redirect_uri\" name=\"allow_any_redirect_uri\" aria-describedby=\"allow_any_redirect_uri-hint\"")
            .Add(anyChecked ? Html.Of($" checked") : Markup.Empty)
            .Add($"><label class=\"inline\" for=\"allow_any_redirect_uri\">Allow any redirect URI without validation</label></div>")
            .Add($"<p class=\"alert warning\" id=\"allow_any_redirect_uri-hint\">Not recommended: with this on, a stolen authorization request can send a user's code to any site. Use it only while developing.</p>")
            .Add(Frame.TextField("redirect_uris", "Redirect URIs", request.Field("redirect_uris"), errors["redirect_uris"],
                "Comma-separated, such as https://app.example.com/callback. Checked against the Base URL.", required: false))
            .Add(ScopeChoices(request, scopes, errors, "What the app may ask its users to allow."))
            .Add(LifetimeField(request, errors));
        return ValueTask.FromResult(html.ToMarkup());
    }

    public override ValueTask<Markup> FactsAsync(AdminRequest request, OAuthClientRecord registration)
    {
        var settings = registration.App;
        var redirects = new Html().AddEach(settings?.RedirectUris ?? [], uri => Html.Of($"<code>{uri}</code><br>")).ToMarkup();
        return ValueTask.FromResult(Facts(
            ("Base URL", Html.Of($"<code id=\"base-url\">{settings?.BaseUrl}</code>")),
            ("Redirect URIs", redirects),
            ("Any redirect URI", settings?.AllowAnyRedirectUri == true
                ? Html.Of($"<strong class=\"status-inactive\">Allowed without validation</strong>")
                : Html.Of($"Not allowed: only the URIs above")),
            ("Allowed scopes", Codes(registration.AllowedScopes)),
            ("Access token lifetime", Html.Of($"{(int)registration.AccessTokenLifetime.TotalSeconds} seconds"))));
    }
}
