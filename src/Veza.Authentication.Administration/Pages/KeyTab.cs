using Microsoft.AspNetCore.Http;
using Veza.Authentication.Administration.Hosting;
using Veza.Authentication.Administration.Rendering;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Administration.Pages;

/// <summary>The Personal and Team tabs: API keys, through <see cref="ApiKeyService"/>.</summary>
internal sealed class KeyTab(ApiKeyKind kind) : ICredentialTab
{
    private bool IsTeam => kind == ApiKeyKind.Team;

    public string Slug => IsTeam ? "team" : "personal";

    public string Title => IsTeam ? "Team" : "Personal";

    private string Noun => IsTeam ? "team key" : "personal key";

    // Team keys are managed by administrators only; every member has personal keys.
    public bool IsVisibleTo(AdminRequest request) => !IsTeam || request.Caller.IsAdministrator;

    public bool IsAvailable(AdminRequest request) => true;

    public async Task ListAsync(AdminRequest request)
    {
        var query = new ApiKeyQuery
        {
            Kind = kind,
            NameContains = NullIfEmpty(request.Query("name")),
            AfterId = NullIfEmpty(request.Query("after")),
            PageSize = Math.Clamp(request.Options.PageSize, 1, 100),
        };
        var page = await request.Service<ApiKeyService>().ListAsync(query, request.Caller, request.Aborted).ConfigureAwait(false);
        if (page.Result != ApiKeyResult.Success)
        {
            await Frame.WriteAsync(request, StatusCodes.Status403Forbidden, Title + " keys", this, Frame.Error(page.Error)).ConfigureAwait(false);
            return;
        }

        var teams = new TeamNames(request);
        var html = new Html().Add(Frame.Toolbar(request, this, "Add " + Noun, true));
        if (page.Items.Count == 0)
        {
            html.Add($"<p id=\"empty\" class=\"muted\">No {Noun}s{(request.Query("name").Length > 0 ? " match the filter" : string.Empty)}.</p>");
        }
        else
        {
            html.Add($"<table id=\"credentials\"><caption class=\"muted\">{Title} keys you may manage</caption><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Team</th>")
                .Add(IsTeam ? Markup.Empty : Html.Of($"<th scope=\"col\">Owner</th>"))
                .Add($"<th scope=\"col\">Status</th><th scope=\"col\">Created</th><th scope=\"col\">Last used</th></tr></thead><tbody>");
            foreach (var key in page.Items)
            {
                var team = await teams.NameAsync(key.TeamId).ConfigureAwait(false);
                html.Add($"<tr data-id=\"{key.Id}\"><td><a href=\"{request.Url($"/api-keys/{Slug}/{key.Id}")}\">{key.Name}</a></td><td>{team}</td>")
                    .Add(IsTeam ? Markup.Empty : Html.Of($"<td>{key.OwnerUserId}</td>"))
                    .Add($"<td>{Frame.Status(key.Status == ApiKeyStatus.Active)}</td><td>{Html.When(key.CreatedAt)}</td><td>{Html.When(key.LastAccessAt == key.CreatedAt ? null : key.LastAccessAt)}</td></tr>");
            }

            html.Add($"</tbody></table>");
        }

        html.Add(Frame.Pager(request, this, page.HasMore, page.Items.Count > 0 ? page.Items[^1].Id : null));
        await Frame.WriteAsync(request, StatusCodes.Status200OK, Title + " keys", this, html.ToMarkup()).ConfigureAwait(false);
    }

    public async Task NewAsync(AdminRequest request)
        => await FormAsync(request, StatusCodes.Status200OK, string.Empty, request.Caller.TeamId, null, null, null).ConfigureAwait(false);

    public async Task CreateAsync(AdminRequest request)
    {
        string name = request.Field("name"), team = request.Field("team_id");
        var created = await request.Service<ApiKeyService>()
            .CreateAsync(new ApiKeyDraft { Kind = kind, Name = name, TeamId = team.Length > 0 ? team : null }, request.Caller, request.Aborted).ConfigureAwait(false);
        if (created is { Result: ApiKeyResult.Success, Key: { } key, AccessKey: { } accessKey })
        {
            var teamName = await new TeamNames(request).NameAsync(key.TeamId).ConfigureAwait(false);
            var facts = Html.Of($"<dl class=\"facts\"><dt>Name</dt><dd id=\"created-name\">{key.Name}</dd><dt>Team</dt><dd>{teamName}</dd><dt>Key id</dt><dd><code>{key.Id}</code></dd></dl>");
            await Frame.SecretAsync(request, this, "The " + Noun + " was created", facts, "key", accessKey, request.Url($"/api-keys/{Slug}/{key.Id}")).ConfigureAwait(false);
            return;
        }

        var (nameError, teamError, general) = created.Result switch
        {
            ApiKeyResult.InvalidName => (created.Error, null, null),
            ApiKeyResult.DuplicateName => ("A key with that name already exists here. Choose another name.", null, null),
            ApiKeyResult.UnknownTeam => (null, "There is no such team.", null),
            ApiKeyResult.QuotaExceeded => (null, null, IsTeam
                ? "The team already holds as many team keys as allowed. Delete one first."
                : "You already hold as many personal keys in this team as allowed. Delete one first."),
            _ => ((string?)null, (string?)null, created.Error ?? "The key could not be created."),
        };
        await FormAsync(request, StatusOf(created.Result),
            name, team, nameError, teamError, general).ConfigureAwait(false);
    }

    private async Task FormAsync(AdminRequest request, int status, string name, string? team, string? nameError, string? teamError, string? error)
    {
        var teams = await TeamChoices.ForAsync(request, rootMayPickAny: IsTeam).ConfigureAwait(false);
        var form = new Html()
            .Add($"<div class=\"card\"><h2>Add a {Noun}</h2>{Frame.Error(error)}<form method=\"post\" action=\"{request.BasePath}/api-keys/{Slug}/new\">{request.FormFields()}")
            .Add(Frame.TextField("name", "Name", name, nameError, "Up to 128 characters, unique among the " + (IsTeam ? "team's keys." : "keys you hold in the team.")))
            .Add(Frame.TeamField(teams, team, teamError))
            .Add(IsTeam
                ? Html.Of($"<p class=\"hint\">A team key acts as the team's service account with the role <code>{request.Veza.TeamKeyRole}</code>, whoever created it.</p>")
                : Html.Of($"<p class=\"hint\">A personal key acts as you, with the roles you hold in the team when it is used.</p>"))
            .Add($"<div class=\"actions\"><button type=\"submit\" class=\"primary\" id=\"save\">Create key</button><a href=\"{request.Url("/api-keys/" + Slug)}\">Cancel</a></div></form></div>");
        await Frame.WriteAsync(request, status, "Add a " + Noun, this, form.ToMarkup()).ConfigureAwait(false);
    }

    public async Task ShowAsync(AdminRequest request, string id) => await ShowAsync(request, id, StatusCodes.Status200OK, null).ConfigureAwait(false);

    private async Task ShowAsync(AdminRequest request, string id, int status, string? error, string? nameError = null)
    {
        var found = await request.Service<ApiKeyService>().GetAsync(kind, id, request.Caller, request.Aborted).ConfigureAwait(false);
        if (found is not { Result: ApiKeyResult.Success, Key: { } key })
        {
            await Layout.NotFoundAsync(request).ConfigureAwait(false);
            return;
        }

        var active = key.Status == ApiKeyStatus.Active;
        var here = $"{request.BasePath}/api-keys/{Slug}/{key.Id}";
        var teamOfKey = await new TeamNames(request).NameAsync(key.TeamId).ConfigureAwait(false);
        var html = new Html().Add(Frame.Error(error))
            .Add($"<div class=\"card\"><h2 id=\"credential-name\">{key.Name}</h2><dl class=\"facts\"><dt>Key id</dt><dd><code>{key.Id}</code></dd>")
            .Add($"<dt>Team</dt><dd>{teamOfKey}</dd>")
            .Add(IsTeam ? Html.Of($"<dt>Acts as</dt><dd>the team's service account (<code>{request.Veza.TeamKeyRole}</code>)</dd>") : Html.Of($"<dt>Owner</dt><dd>{key.OwnerUserId}</dd>"))
            .Add($"<dt>Status</dt><dd id=\"credential-status\">{Frame.Status(active)}</dd>")
            .Add(active ? Markup.Empty : Html.Of($"<dt>Revoked by</dt><dd>{key.RevokedBy}</dd>"))
            .Add($"<dt>Created</dt><dd>{Html.When(key.CreatedAt)}{(key.CreatedByUserId is { } by ? " by " + by : string.Empty)}</dd>")
            .Add($"<dt>Last used</dt><dd>{Html.When(key.LastAccessAt == key.CreatedAt ? null : key.LastAccessAt)}</dd></dl>")
            .Add($"<form method=\"post\" action=\"{here}/rename\">{request.FormFields()}")
            .Add(Frame.TextField("name", "Name", key.Name, nameError))
            .Add($"<div class=\"actions\"><button type=\"submit\" id=\"rename\">Rename</button></div></form><div class=\"actions\">");
        html.Add(active
            ? Html.Of($"<a class=\"button danger\" id=\"revoke\" href=\"{request.Url($"/api-keys/{Slug}/{key.Id}/revoke")}\">Revoke</a>")
            : Html.Of($"<form class=\"inline\" method=\"post\" action=\"{here}/reinstate\">{request.FormFields()}<button type=\"submit\" id=\"reinstate\">Reinstate</button></form>"));
        html.Add($"<a class=\"button danger\" id=\"delete\" href=\"{request.Url($"/api-keys/{Slug}/{key.Id}/delete")}\">Delete</a>")
            .Add($"<a href=\"{request.Url("/api-keys/" + Slug)}\">Back to the list</a></div></div>");
        await Frame.WriteAsync(request, status, key.Name, this, html.ToMarkup()).ConfigureAwait(false);
    }

    public async Task RenameAsync(AdminRequest request, string id)
    {
        var renamed = await request.Service<ApiKeyService>().RenameAsync(kind, id, request.Field("name"), request.Caller, request.Aborted).ConfigureAwait(false);
        await AfterAsync(request, id, renamed, "renamed", nameField: true).ConfigureAwait(false);
    }

    public async Task ReinstateAsync(AdminRequest request, string id)
        => await AfterAsync(request, id, await request.Service<ApiKeyService>().ReinstateAsync(kind, id, request.Caller, request.Aborted).ConfigureAwait(false),
            "reinstated").ConfigureAwait(false);

    public async Task ConfirmAsync(AdminRequest request, string id, CredentialAction action)
    {
        var found = await request.Service<ApiKeyService>().GetAsync(kind, id, request.Caller, request.Aborted).ConfigureAwait(false);
        if (found.Key is not { } key)
        {
            await Layout.NotFoundAsync(request).ConfigureAwait(false);
            return;
        }

        var revoke = action == CredentialAction.Revoke;
        await Frame.ConfirmAsync(request, this, (revoke ? "Revoke " : "Delete ") + key.Name,
            $"{(revoke ? "Revoke" : "Delete")} the {Noun} “{key.Name}”?",
            revoke ? "Every request made with it is refused from now on. It can be reinstated later."
                : "It is removed for good and every request made with it is refused. This cannot be undone.",
            $"{request.BasePath}/api-keys/{Slug}/{key.Id}/{(revoke ? "revoke" : "delete")}", revoke ? "Revoke key" : "Delete key",
            request.Url($"/api-keys/{Slug}/{key.Id}")).ConfigureAwait(false);
    }

    public async Task RevokeAsync(AdminRequest request, string id)
        => await AfterAsync(request, id, await request.Service<ApiKeyService>().RevokeAsync(kind, id, request.Caller, request.Aborted).ConfigureAwait(false),
            "revoked").ConfigureAwait(false);

    public async Task DeleteAsync(AdminRequest request, string id)
    {
        var deleted = await request.Service<ApiKeyService>().DeleteAsync(kind, id, request.Caller, request.Aborted).ConfigureAwait(false);
        if (deleted.Result == ApiKeyResult.Success)
        {
            request.Http.Response.Redirect(request.Url("/api-keys/" + Slug, ("done", "deleted")));
            return;
        }

        await AfterAsync(request, id, deleted, "deleted").ConfigureAwait(false);
    }

    // A key has nothing to edit but its name.
    public Task EditAsync(AdminRequest request, string id, bool save) => Layout.NotFoundAsync(request);

    // Keys have no secrets to add or remove: their key string is the secret.
    public Task AddSecretAsync(AdminRequest request, string id) => Layout.NotFoundAsync(request);

    public Task ConfirmRemoveSecretAsync(AdminRequest request, string id, string secretId) => Layout.NotFoundAsync(request);

    public Task RemoveSecretAsync(AdminRequest request, string id, string secretId) => Layout.NotFoundAsync(request);

    // After a change: back to the key with a message (Post/Redirect/Get), or the key with the refusal in words.
    private async Task AfterAsync(AdminRequest request, string id, ApiKeyChange change, string done, bool nameField = false)
    {
        if (change.Result == ApiKeyResult.Success)
        {
            request.Http.Response.Redirect(request.Url($"/api-keys/{Slug}/{id}", ("done", done)));
            return;
        }

        if (change.Result == ApiKeyResult.NotFound)
        {
            await Layout.NotFoundAsync(request).ConfigureAwait(false);
            return;
        }

        var message = change.Result switch
        {
            ApiKeyResult.DuplicateName => "A key with that name already exists here. Choose another name.",
            ApiKeyResult.Outranked => change.Error ?? "It was revoked by someone with more authority than you; only they can reinstate it.",
            _ => change.Error ?? "The change was refused.",
        };
        var onName = nameField && change.Result is ApiKeyResult.InvalidName or ApiKeyResult.DuplicateName;
        await ShowAsync(request, id, StatusOf(change.Result),
            onName ? null : message, onName ? message : null).ConfigureAwait(false);
    }

    private static int StatusOf(ApiKeyResult result) => result switch
    {
        ApiKeyResult.Forbidden or ApiKeyResult.Outranked => StatusCodes.Status403Forbidden,
        ApiKeyResult.NotFound => StatusCodes.Status404NotFound,
        ApiKeyResult.DuplicateName or ApiKeyResult.Conflict or ApiKeyResult.QuotaExceeded => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status400BadRequest,
    };

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
