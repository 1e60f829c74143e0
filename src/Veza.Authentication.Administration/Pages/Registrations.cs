using System.Globalization;
using Microsoft.Extensions.Primitives;
using Veza.Authentication.Administration.Hosting;
using Veza.Authentication.Administration.Rendering;
using Veza.Authentication.Hosting;
using Veza.Authentication.OAuth2;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Administration.Pages;

/// <summary>What the OAuth2 Apps and OAuth2 Clients tabs differ in: the service they call, the form, and the facts a
/// registration shows. The rest is <see cref="RegistrationTab"/>.</summary>
internal abstract class Registrations
{
    public abstract OAuthClientKind Kind { get; }

    public abstract string Slug { get; }

    public abstract string Title { get; }

    /// <summary>"app" or "client".</summary>
    public abstract string Noun { get; }

    public abstract bool IsVisibleTo(AdminRequest request);

    /// <summary>Whether the host registered the stores this kind needs.</summary>
    public abstract bool IsAvailable(AdminRequest request);

    /// <summary>Whether the caller may register one (the form is offered).</summary>
    public abstract bool MayAdd(AdminRequest request);

    public abstract ValueTask<OAuthClientListing> ListAsync(AdminRequest request, OAuthClientQuery query);

    public abstract ValueTask<OAuthClientChange> GetAsync(AdminRequest request, string id);

    public abstract ValueTask<OAuthClientChange> CreateAsync(AdminRequest request);

    public abstract ValueTask<OAuthClientChange> RenameAsync(AdminRequest request, string id, string name);

    public abstract ValueTask<OAuthClientChange> RevokeAsync(AdminRequest request, string id);

    public abstract ValueTask<OAuthClientChange> ReinstateAsync(AdminRequest request, string id);

    public abstract ValueTask<OAuthClientChange> DeleteAsync(AdminRequest request, string id);

    public abstract ValueTask<OAuthClientChange> AddSecretAsync(AdminRequest request, string id);

    public abstract ValueTask<OAuthClientChange> RemoveSecretAsync(AdminRequest request, string id, string secretId);

    /// <summary>The form's values for a stored registration, when its kind can be edited on the page; else
    /// <see langword="null"/>.</summary>
    public virtual Dictionary<string, StringValues>? ValuesOf(OAuthClientRecord registration) => null;

    /// <summary>Saves the posted edit form.</summary>
    public virtual ValueTask<OAuthClientChange> UpdateAsync(AdminRequest request, string id) => ValueTask.FromResult(new OAuthClientChange(OAuthClientResult.NotFound));

    /// <summary>The form's fields, filled from the posted form (or empty), with the error beside its field.</summary>
    public abstract ValueTask<Markup> FieldsAsync(AdminRequest request, FieldErrors errors);

    /// <summary>The facts of a registration that only its kind has.</summary>
    public abstract ValueTask<Markup> FactsAsync(AdminRequest request, OAuthClientRecord registration);

    /// <summary>Which field an error of the service is about, read from its words.</summary>
    public static string FieldOf(string error)
    {
        var text = error.ToLowerInvariant();
        return text.StartsWith("name", StringComparison.Ordinal) ? "name"
            : text.Contains("base_url", StringComparison.Ordinal) ? "base_url"
            : text.Contains("redirect", StringComparison.Ordinal) ? "redirect_uris"
            : text.Contains("scope", StringComparison.Ordinal) ? "scopes"
            : text.Contains("access_token_lifetime", StringComparison.Ordinal) ? "access_token_lifetime"
            : text.StartsWith("role", StringComparison.Ordinal) || text.Contains("a role you hold", StringComparison.Ordinal) ? "role"
            : text.StartsWith("team_id", StringComparison.Ordinal) ? "team_id"
            : string.Empty;
    }

    /// <summary>The access token lifetime field, in seconds, or why it is not a number.</summary>
    protected static (TimeSpan? Lifetime, string? Error) Lifetime(AdminRequest request)
    {
        var text = request.Field("access_token_lifetime");
        return text.Length == 0 ? (null, null)
            : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 ? (TimeSpan.FromSeconds(seconds), null)
            : (null, "access_token_lifetime must be a whole number of seconds.");
    }

    protected static Markup LifetimeField(AdminRequest request, FieldErrors errors)
        => Frame.TextField("access_token_lifetime", "Access token lifetime (seconds)", request.Field("access_token_lifetime"), errors["access_token_lifetime"],
            $"Leave empty for the default, {(int)request.Veza.OAuth2.DefaultAccessTokenLifetime.TotalSeconds} seconds; at most {(int)request.Veza.OAuth2.MaxAccessTokenLifetime.TotalSeconds}.",
            "number", required: false);

    /// <summary>Check boxes for scopes, each with the roles whose permission it is (the script hides the others).</summary>
    protected static Markup ScopeChoices(AdminRequest request, IEnumerable<string> scopes, FieldErrors errors, string hint, Func<string, string>? rolesOf = null)
    {
        var chosen = request.Form["scopes"].Select(s => s ?? string.Empty).ToHashSet(StringComparer.Ordinal);
        var html = new Html().Add($"<fieldset id=\"scopes\"")
            .Add(errors["scopes"] is null ? Markup.Empty : Html.Of($" aria-describedby=\"scopes-error\""))
            .Add($"><legend>Allowed scopes</legend>{Frame.Hint("scopes", hint)}");
        var index = 0;
        foreach (var scope in scopes)
        {
            var id = "scope-" + index++.ToString(CultureInfo.InvariantCulture);
            var words = request.Veza.OAuth2.ScopeDescriptions.TryGetValue(scope, out var description) ? description : null;
            html.Add($"<div class=\"choice\"><input type=\"checkbox\" id=\"{id}\" name=\"scopes\" value=\"{scope}\"")
                .Add(rolesOf is null ? Markup.Empty : Html.Of($" data-roles=\"{rolesOf(scope)}\""))
                .Add(chosen.Contains(scope) ? Html.Of($" checked") : Markup.Empty)
                .Add($"><label class=\"inline\" for=\"{id}\"><code>{scope}</code></label>")
                .Add(words is null ? Markup.Empty : Html.Of($"<span class=\"hint\">{words}</span>"))
                .Add($"</div>");
        }

        return html.Add($"</fieldset>").Add(Frame.FieldError("scopes", errors["scopes"])).ToMarkup();
    }

    protected static Markup Facts(params (string Term, Markup Value)[] facts)
        => new Html().AddEach(facts, f => Html.Of($"<dt>{f.Term}</dt><dd>{f.Value}</dd>")).ToMarkup();

    protected static Markup Codes(IEnumerable<string> values)
        => new Html().AddEach(values, v => Html.Of($"<code>{v}</code> ")).ToMarkup();
}

/// <summary>The errors of a form, by field; the empty name is the form's own.</summary>
internal sealed class FieldErrors
{
    private readonly Dictionary<string, string> _errors = new(StringComparer.Ordinal);

    public static FieldErrors None => new();

    public string? this[string field] => _errors.GetValueOrDefault(field);

    public string? General => this[string.Empty];

    public FieldErrors Add(string field, string error)
    {
        _errors[field] = error;
        return this;
    }
}
