using Veza.Authentication.Administration.Hosting;
using Veza.Authentication.Administration.Rendering;
using Veza.Authentication.Hosting;
using Veza.Authentication.OAuth2;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Administration.Pages;

/// <summary>The OAuth2 Clients tab, through <see cref="OAuthClientService"/>: a backend service of one team, with one role
/// and scopes from that role's permissions. Administrators (of the team, or of the root team).</summary>
internal sealed class ClientRegistrations : Registrations
{
    public override OAuthClientKind Kind => OAuthClientKind.Client;

    public override string Slug => "clients";

    public override string Title => "OAuth2 Clients";

    public override string Noun => "client";

    public override bool IsVisibleTo(AdminRequest request) => request.Caller.IsAdministrator;

    public override bool IsAvailable(AdminRequest request) => StoreRegistrations.HasOAuth2(request.Http.RequestServices);

    public override bool MayAdd(AdminRequest request) => request.Caller.IsAdministrator;

    private static OAuthClientService Clients(AdminRequest request) => request.Service<OAuthClientService>();

    public override ValueTask<OAuthClientListing> ListAsync(AdminRequest request, OAuthClientQuery query) => Clients(request).ListAsync(query, request.Caller, request.Aborted);

    public override ValueTask<OAuthClientChange> GetAsync(AdminRequest request, string id)
        => Clients(request).GetAsync(OAuthClientKind.Client, id, request.Caller, request.Aborted);

    public override ValueTask<OAuthClientChange> CreateAsync(AdminRequest request)
    {
        var (lifetime, lifetimeError) = Lifetime(request);
        if (lifetimeError is not null)
        {
            return ValueTask.FromResult(new OAuthClientChange(OAuthClientResult.Invalid, Error: lifetimeError));
        }

        var scopes = request.Form["scopes"].Select(s => s ?? string.Empty).ToArray();
        var team = request.Field("team_id");
        var draft = new OAuthClientDraft
        {
            Name = request.Field("name"),
            TeamId = team.Length > 0 ? team : request.Caller.TeamId ?? string.Empty,
            Role = request.Field("role") is { Length: > 0 } role ? role : null,
            // None ticked: every permission of the role.
            AllowedScopes = scopes.Length == 0 ? null : scopes,
            AccessTokenLifetime = lifetime,
        };
        return Clients(request).CreateAsync(draft, request.Caller, request.Aborted);
    }

    public override ValueTask<OAuthClientChange> RenameAsync(AdminRequest request, string id, string name) => Clients(request).RenameAsync(id, name, request.Caller, request.Aborted);

    public override ValueTask<OAuthClientChange> RevokeAsync(AdminRequest request, string id) => Clients(request).RevokeAsync(id, request.Caller, request.Aborted);

    public override ValueTask<OAuthClientChange> ReinstateAsync(AdminRequest request, string id) => Clients(request).ReinstateAsync(id, request.Caller, request.Aborted);

    public override ValueTask<OAuthClientChange> DeleteAsync(AdminRequest request, string id) => Clients(request).DeleteAsync(id, request.Caller, request.Aborted);

    public override ValueTask<OAuthClientChange> AddSecretAsync(AdminRequest request, string id) => Clients(request).AddSecretAsync(id, null, request.Caller, request.Aborted);

    public override ValueTask<OAuthClientChange> RemoveSecretAsync(AdminRequest request, string id, string secretId)
        => Clients(request).RemoveSecretAsync(id, secretId, request.Caller, request.Aborted);

    /// <summary>The roles the caller may give a client: any, for a root-team administrator; else those they hold.</summary>
    private static string[] RolesFor(AdminRequest request)
        => [.. request.Veza.Roles.Keys.Where(r => request.Caller.IsRootAdministrator || request.Caller.Roles.Contains(r, StringComparer.Ordinal))
            .Order(StringComparer.Ordinal)];

    public override async ValueTask<Markup> FieldsAsync(AdminRequest request, FieldErrors errors)
    {
        var roles = RolesFor(request);
        var chosenRole = request.Field("role") is { Length: > 0 } posted ? posted
            : roles.Contains(request.Veza.TeamKeyRole, StringComparer.Ordinal) ? request.Veza.TeamKeyRole : roles.FirstOrDefault();
        var teams = await TeamChoices.ForAsync(request, rootMayPickAny: true).ConfigureAwait(false);
        var team = request.Field("team_id") is { Length: > 0 } t ? t : request.Caller.TeamId;
        var html = new Html()
            .Add(Frame.TextField("name", "Name", request.Field("name"), errors["name"], "Unique among the team's clients."))
            .Add(Frame.TeamField(teams, team, errors["team_id"]))
            .Add($"<label for=\"role\">Role</label><select id=\"role\" name=\"role\" aria-describedby=\"role-hint\"")
            .Add(errors["role"] is null ? Markup.Empty : Html.Of($" aria-invalid=\"true\""))
            .Add($">")
            .AddEach(roles, r => r == chosenRole ? Html.Of($"<option value=\"{r}\" selected>{r}</option>") : Html.Of($"<option value=\"{r}\">{r}</option>"))
            .Add($"</select>")
            .Add(Frame.Hint("role", "The client acts as the team's service account with this role; you can give only roles you hold."))
            .Add(Frame.FieldError("role", errors["role"]));
        var permissions = roles.SelectMany(r => request.Veza.Roles[r]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        html.Add(ScopeChoices(request, permissions, errors, "Each must be a permission of the role. Tick none to allow every permission of the role.",
                scope => string.Join(' ', roles.Where(r => request.Veza.Roles[r].Contains(scope)))))
            .Add(LifetimeField(request, errors));
        return html.ToMarkup();
    }

    public override async ValueTask<Markup> FactsAsync(AdminRequest request, OAuthClientRecord registration)
        => Facts(
            ("Team", Html.Text(await new TeamNames(request).NameAsync(registration.TeamId).ConfigureAwait(false))),
            ("Role", Html.Of($"<code>{registration.Role}</code>")),
            ("Allowed scopes", Codes(registration.AllowedScopes)),
            ("Access token lifetime", Html.Of($"{(int)registration.AccessTokenLifetime.TotalSeconds} seconds")));
}
