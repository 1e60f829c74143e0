using Microsoft.AspNetCore.Http;
using Veza.Authentication.Administration.Hosting;
using Veza.Authentication.Administration.Rendering;
using Veza.Authentication.OAuth2;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Administration.Pages;

/// <summary>The OAuth2 Apps and OAuth2 Clients tabs: list, register (the client id and first secret shown once),
/// rename, secrets (add one, remove the old one), revoke, reinstate and delete.</summary>
internal sealed class RegistrationTab(Registrations kind) : ICredentialTab
{
    public string Slug => kind.Slug;

    public string Title => kind.Title;

    public bool IsVisibleTo(AdminRequest request) => kind.IsAvailable(request) && kind.IsVisibleTo(request);

    public bool IsAvailable(AdminRequest request) => kind.IsAvailable(request);

    public async Task ListAsync(AdminRequest request)
    {
        var query = new OAuthClientQuery
        {
            NameContains = request.Query("name") is { Length: > 0 } name ? name : null,
            AfterId = request.Query("after") is { Length: > 0 } after ? after : null,
            PageSize = Math.Clamp(request.Options.PageSize, 1, 100),
        };
        var page = await kind.ListAsync(request, query).ConfigureAwait(false);
        var html = new Html().Add(await ServerStateAsync(request).ConfigureAwait(false));
        if (page.Result != OAuthClientResult.Success)
        {
            await Frame.WriteAsync(request, StatusCodes.Status403Forbidden, Title, this, html.Add(Frame.Error(page.Error)).ToMarkup()).ConfigureAwait(false);
            return;
        }

        html.Add(Frame.Toolbar(request, this, "Add " + kind.Noun, kind.MayAdd(request)));
        if (page.Items.Count == 0)
        {
            html.Add($"<p id=\"empty\" class=\"muted\">No {kind.Noun}s{(request.Query("name").Length > 0 ? " match the filter" : string.Empty)}.</p>");
        }
        else
        {
            var teams = new TeamNames(request);
            html.Add($"<table id=\"credentials\"><caption class=\"muted\">{Title} you may manage</caption><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Client ID</th>")
                .Add($"<th scope=\"col\">Team</th><th scope=\"col\">Status</th><th scope=\"col\">Created</th><th scope=\"col\">Last used</th></tr></thead><tbody>");
            foreach (var item in page.Items)
            {
                var team = await teams.NameAsync(item.TeamId).ConfigureAwait(false);
                html.Add($"<tr data-id=\"{item.Id}\"><td><a href=\"{request.Url($"/api-keys/{Slug}/{item.Id}")}\">{item.Name}</a></td><td><code>{item.Id}</code></td>")
                    .Add($"<td>{team}</td><td>{Frame.Status(item.Status == OAuthClientStatus.Active)}</td>")
                    .Add($"<td>{Html.When(item.CreatedAt)}</td><td>{Html.When(item.LastUsedAt)}</td></tr>");
            }

            html.Add($"</tbody></table>");
        }

        html.Add(Frame.Pager(request, this, page.HasMore, page.Items.Count > 0 ? page.Items[^1].Id : null));
        await Frame.WriteAsync(request, StatusCodes.Status200OK, Title, this, html.ToMarkup()).ConfigureAwait(false);
    }

    public Task NewAsync(AdminRequest request) => FormAsync(request, StatusCodes.Status200OK, FieldErrors.None);

    public async Task CreateAsync(AdminRequest request)
    {
        var created = await kind.CreateAsync(request).ConfigureAwait(false);
        if (created is { Result: OAuthClientResult.Success, Client: { } registration })
        {
            var facts = Html.Of($"<dl class=\"facts\"><dt>Name</dt><dd id=\"created-name\">{registration.Name}</dd><dt>Client ID</dt><dd><code id=\"client-id\">{registration.Id}</code></dd></dl>");
            if (created.Secret is { } secret)
            {
                await Frame.SecretAsync(request, this, $"The {kind.Noun} was registered", facts, "client secret", secret, request.Url($"/api-keys/{Slug}/{registration.Id}"))
                    .ConfigureAwait(false);
            }
            else
            {
                request.Http.Response.Redirect(request.Url($"/api-keys/{Slug}/{registration.Id}"));
            }

            return;
        }

        var errors = new FieldErrors();
        var message = Message(created);
        errors.Add(created.Result is OAuthClientResult.Invalid or OAuthClientResult.DuplicateName or OAuthClientResult.UnknownTeam
            ? created.Result == OAuthClientResult.DuplicateName ? "name" : created.Result == OAuthClientResult.UnknownTeam ? "team_id" : Registrations.FieldOf(message)
            : string.Empty, message);
        await FormAsync(request, StatusOf(created), errors).ConfigureAwait(false);
    }

    private Task FormAsync(AdminRequest request, int status, FieldErrors errors)
        => FormAsync(request, status, errors, "Add an OAuth2 " + kind.Noun, $"/api-keys/{Slug}/new", "/api-keys/" + Slug);

    private async Task FormAsync(AdminRequest request, int status, FieldErrors errors, string heading, string action, string cancel)
    {
        var html = new Html().Add(await ServerStateAsync(request).ConfigureAwait(false))
            .Add($"<div class=\"card\"><h2>{heading}</h2>{Frame.Error(errors.General)}")
            .Add($"<form method=\"post\" action=\"{request.BasePath + action}\" novalidate>{request.FormFields()}")
            .Add(await kind.FieldsAsync(request, errors).ConfigureAwait(false))
            .Add($"<div class=\"actions\"><button type=\"submit\" class=\"primary\" id=\"save\">Save</button><a href=\"{request.Url(cancel)}\">Cancel</a></div></form></div>");
        await Frame.WriteAsync(request, status, heading, this, html.ToMarkup()).ConfigureAwait(false);
    }

    public async Task EditAsync(AdminRequest request, string id, bool save)
    {
        var found = await kind.GetAsync(request, id).ConfigureAwait(false);
        if (found.Client is not { } registration || kind.ValuesOf(registration) is not { } values)
        {
            await Layout.NotFoundAsync(request).ConfigureAwait(false);
            return;
        }

        var errors = new FieldErrors();
        var status = StatusCodes.Status200OK;
        if (save)
        {
            var saved = await kind.UpdateAsync(request, id).ConfigureAwait(false);
            if (saved.Result == OAuthClientResult.Success)
            {
                request.Http.Response.Redirect(request.Url($"/api-keys/{Slug}/{id}", ("done", "saved")));
                return;
            }

            var message = Message(saved);
            errors.Add(saved.Result is OAuthClientResult.Invalid or OAuthClientResult.DuplicateName
                ? saved.Result == OAuthClientResult.DuplicateName ? "name" : Registrations.FieldOf(message) : string.Empty, message);
            status = StatusOf(saved);
        }
        else
        {
            request.Prefill(values);
        }

        await FormAsync(request, status, errors, "Edit " + registration.Name, $"/api-keys/{Slug}/{id}/edit", $"/api-keys/{Slug}/{id}").ConfigureAwait(false);
    }

    public Task ShowAsync(AdminRequest request, string id) => ShowAsync(request, id, StatusCodes.Status200OK, null, null);

    private async Task ShowAsync(AdminRequest request, string id, int status, string? error, string? nameError)
    {
        var found = await kind.GetAsync(request, id).ConfigureAwait(false);
        if (found is not { Result: OAuthClientResult.Success, Client: { } registration })
        {
            await Layout.NotFoundAsync(request).ConfigureAwait(false);
            return;
        }

        var active = registration.Status == OAuthClientStatus.Active;
        var here = $"{request.BasePath}/api-keys/{Slug}/{registration.Id}";
        var html = new Html().Add(await ServerStateAsync(request).ConfigureAwait(false)).Add(Frame.Error(error))
            .Add($"<div class=\"card\"><h2 id=\"credential-name\">{registration.Name}</h2><dl class=\"facts\"><dt>Client ID</dt><dd><code id=\"client-id\">{registration.Id}</code></dd>")
            .Add(await kind.FactsAsync(request, registration).ConfigureAwait(false))
            .Add($"<dt>Status</dt><dd id=\"credential-status\">{Frame.Status(active)}</dd>")
            .Add(active ? Markup.Empty : Html.Of($"<dt>Revoked by</dt><dd>{registration.RevokedBy}</dd>"))
            .Add($"<dt>Created</dt><dd>{Html.When(registration.CreatedAt)} by {registration.CreatedBy}</dd><dt>Last used</dt><dd>{Html.When(registration.LastUsedAt)}</dd></dl>")
            .Add($"<form method=\"post\" action=\"{here}/rename\">{request.FormFields()}{Frame.TextField("name", "Name", registration.Name, nameError)}")
            .Add($"<div class=\"actions\"><button type=\"submit\" id=\"rename\">Rename</button></div></form>");
        if (registration.App?.IsPublic != true)
        {
            html.Add($"<h3>Secrets</h3><table id=\"secrets\"><thead><tr><th scope=\"col\">Secret id</th><th scope=\"col\">Added</th><th scope=\"col\">Expires</th><th scope=\"col\"><span class=\"muted\">Action</span></th></tr></thead><tbody>")
                .AddEach(registration.Secrets, s => Html.Of($"<tr><td><code>{s.Id}</code></td><td>{Html.When(s.CreatedAt)}</td><td>{Html.When(s.ExpiresAt)}</td><td><a href=\"{request.Url($"/api-keys/{Slug}/{registration.Id}/secrets/{s.Id}/remove")}\" aria-label=\"Remove secret {s.Id}\">Remove</a></td></tr>"))
                .Add($"</tbody></table><p class=\"hint\">To rotate: add a secret, switch the {kind.Noun} to it, then remove the old one. At most {OAuthClientRecord.MaxSecrets} at once.</p>")
                .Add($"<form method=\"post\" action=\"{here}/secrets\">{request.FormFields()}<button type=\"submit\" id=\"add-secret\">Add a secret</button></form>");
        }

        html.Add($"<div class=\"actions\">")
            .Add(kind.ValuesOf(registration) is null ? Markup.Empty : Html.Of($"<a class=\"button\" id=\"edit\" href=\"{request.Url($"/api-keys/{Slug}/{registration.Id}/edit")}\">Edit</a>"))
            .Add(active
                ? Html.Of($"<a class=\"button danger\" id=\"revoke\" href=\"{request.Url($"/api-keys/{Slug}/{registration.Id}/revoke")}\">Revoke</a>")
                : Html.Of($"<form class=\"inline\" method=\"post\" action=\"{here}/reinstate\">{request.FormFields()}<button type=\"submit\" id=\"reinstate\">Reinstate</button></form>"))
            .Add($"<a class=\"button danger\" id=\"delete\" href=\"{request.Url($"/api-keys/{Slug}/{registration.Id}/delete")}\">Delete</a>")
            .Add($"<a href=\"{request.Url("/api-keys/" + Slug)}\">Back to the list</a></div></div>");
        await Frame.WriteAsync(request, status, registration.Name, this, html.ToMarkup()).ConfigureAwait(false);
    }

    public async Task RenameAsync(AdminRequest request, string id)
        => await AfterAsync(request, id, await kind.RenameAsync(request, id, request.Field("name")).ConfigureAwait(false), "renamed", nameField: true).ConfigureAwait(false);

    public async Task ReinstateAsync(AdminRequest request, string id)
        => await AfterAsync(request, id, await kind.ReinstateAsync(request, id).ConfigureAwait(false), "reinstated").ConfigureAwait(false);

    public async Task ConfirmAsync(AdminRequest request, string id, CredentialAction action)
    {
        if ((await kind.GetAsync(request, id).ConfigureAwait(false)).Client is not { } registration)
        {
            await Layout.NotFoundAsync(request).ConfigureAwait(false);
            return;
        }

        var revoke = action == CredentialAction.Revoke;
        await Frame.ConfirmAsync(request, this, (revoke ? "Revoke " : "Delete ") + registration.Name,
            $"{(revoke ? "Revoke" : "Delete")} the OAuth2 {kind.Noun} “{registration.Name}”?",
            revoke ? $"It can no longer get tokens, and every token it holds is refused from now on. It can be reinstated later."
                : $"It is removed for good: it can no longer get tokens and every token it holds is refused. This cannot be undone.",
            $"{request.BasePath}/api-keys/{Slug}/{registration.Id}/{(revoke ? "revoke" : "delete")}", revoke ? "Revoke " + kind.Noun : "Delete " + kind.Noun,
            request.Url($"/api-keys/{Slug}/{registration.Id}")).ConfigureAwait(false);
    }

    public async Task RevokeAsync(AdminRequest request, string id)
        => await AfterAsync(request, id, await kind.RevokeAsync(request, id).ConfigureAwait(false), "revoked").ConfigureAwait(false);

    public async Task DeleteAsync(AdminRequest request, string id)
    {
        var deleted = await kind.DeleteAsync(request, id).ConfigureAwait(false);
        if (deleted.Result == OAuthClientResult.Success)
        {
            request.Http.Response.Redirect(request.Url("/api-keys/" + Slug, ("done", "deleted")));
            return;
        }

        await AfterAsync(request, id, deleted, "deleted").ConfigureAwait(false);
    }

    public async Task AddSecretAsync(AdminRequest request, string id)
    {
        var added = await kind.AddSecretAsync(request, id).ConfigureAwait(false);
        if (added is { Result: OAuthClientResult.Success, Client: { } registration, Secret: { } secret })
        {
            var facts = Html.Of($"<dl class=\"facts\"><dt>Name</dt><dd>{registration.Name}</dd><dt>Client ID</dt><dd><code id=\"client-id\">{registration.Id}</code></dd><dt>Secret id</dt><dd><code>{added.SecretId}</code></dd></dl>");
            await Frame.SecretAsync(request, this, "A secret was added", facts, "client secret", secret, request.Url($"/api-keys/{Slug}/{registration.Id}")).ConfigureAwait(false);
            return;
        }

        await AfterAsync(request, id, added, string.Empty).ConfigureAwait(false);
    }

    public async Task ConfirmRemoveSecretAsync(AdminRequest request, string id, string secretId)
    {
        if ((await kind.GetAsync(request, id).ConfigureAwait(false)).Client is not { } registration || registration.Secrets.All(s => s.Id != secretId))
        {
            await Layout.NotFoundAsync(request).ConfigureAwait(false);
            return;
        }

        await Frame.ConfirmAsync(request, this, "Remove a secret", $"Remove the secret {secretId} of “{registration.Name}”?",
            $"The {kind.Noun} can no longer authenticate with this secret. Tokens it already holds keep working until they expire.",
            $"{request.BasePath}/api-keys/{Slug}/{registration.Id}/secrets/{secretId}/remove", "Remove secret",
            request.Url($"/api-keys/{Slug}/{registration.Id}")).ConfigureAwait(false);
    }

    public async Task RemoveSecretAsync(AdminRequest request, string id, string secretId)
        => await AfterAsync(request, id, await kind.RemoveSecretAsync(request, id, secretId).ConfigureAwait(false), "secret-removed").ConfigureAwait(false);

    // After a change: back to the registration with a message (Post/Redirect/Get), or the registration with the refusal in words.
    private async Task AfterAsync(AdminRequest request, string id, OAuthClientChange change, string done, bool nameField = false)
    {
        if (change.Result == OAuthClientResult.Success)
        {
            request.Http.Response.Redirect(request.Url($"/api-keys/{Slug}/{id}", ("done", done)));
            return;
        }

        if (change.Result == OAuthClientResult.NotFound && (await kind.GetAsync(request, id).ConfigureAwait(false)).Client is null)
        {
            await Layout.NotFoundAsync(request).ConfigureAwait(false);
            return;
        }

        var message = Message(change);
        var onName = nameField && change.Result is OAuthClientResult.Invalid or OAuthClientResult.DuplicateName;
        await ShowAsync(request, id, StatusOf(change), onName ? null : message, onName ? message : null).ConfigureAwait(false);
    }

    private string Message(OAuthClientChange change) => change.Result switch
    {
        OAuthClientResult.DuplicateName => $"Another {kind.Noun} of the team has that name. Choose another name.",
        OAuthClientResult.QuotaExceeded => change.Error ?? $"A limit was reached: the team holds as many clients as allowed, or the {kind.Noun} as many secrets (remove one first).",
        OAuthClientResult.ServerOff => "The OAuth2 authorization server is off: OAuth2 clients and apps cannot be created or changed. Turn it on in Sign-in Settings.",
        OAuthClientResult.UnknownTeam => "There is no such team.",
        OAuthClientResult.NotFound => change.Error ?? "There is no such secret.",
        _ => change.Error ?? "The change was refused.",
    };

    private static int StatusOf(OAuthClientChange change) => change.Result switch
    {
        OAuthClientResult.Forbidden => StatusCodes.Status403Forbidden,
        OAuthClientResult.NotFound => StatusCodes.Status404NotFound,
        OAuthClientResult.DuplicateName or OAuthClientResult.Conflict or OAuthClientResult.ServerOff or OAuthClientResult.QuotaExceeded => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status400BadRequest,
    };

    // Says when the server is off, with a way to turn it on for those who may.
    private static async ValueTask<Markup> ServerStateAsync(AdminRequest request)
    {
        if (await request.Service<OAuthServerSwitch>().IsEnabledAsync(request.Aborted).ConfigureAwait(false))
        {
            return Markup.Empty;
        }

        return request.Caller.IsRootAdministrator
            ? Html.Of($"<p class=\"alert warning\" id=\"server-off\">The OAuth2 authorization server is off: these cannot get tokens, and cannot be created or changed. <a href=\"{request.Url("/sign-in-settings")}\">Turn it on in Sign-in Settings</a>.</p>")
            : Html.Of($"<p class=\"alert warning\" id=\"server-off\">The OAuth2 authorization server is off: these cannot get tokens, and cannot be created or changed. An administrator of the root team can turn it on in Sign-in Settings.</p>");
    }
}
