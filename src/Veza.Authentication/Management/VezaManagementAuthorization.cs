using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Veza.Authentication.ApiKeys;
using Veza.Authentication.OAuth2;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Management;

/// <summary>
/// The requirement to manage a credential (an <see cref="ApiKeyRecord"/> or an <see cref="OAuthClientRecord"/>): see,
/// change, revoke or delete it. Checked with resource-based authorization,
/// <c>IAuthorizationService.AuthorizeAsync(user, record, [VezaManageRequirement.Instance])</c>, by the management
/// endpoints and by any host endpoint that wants the same rules.
/// </summary>
public sealed class VezaManageRequirement : IAuthorizationRequirement
{
    private VezaManageRequirement()
    {
    }

    /// <summary>The requirement.</summary>
    public static VezaManageRequirement Instance { get; } = new();
}

/// <summary>
/// Decides <see cref="VezaManageRequirement"/> with the services' own rules (<c>ApiKeyService</c> for keys,
/// <c>OAuthClientService</c> for clients and apps), for the caller behind the user: the authority of a call is its
/// team and the caller's roles there. A user manages their own personal keys of that team; an administrator of the team
/// every key and client of it; an administrator of the root team every team's, and the apps. Service accounts, clients
/// and apps manage nothing. Any other resource or requirement is left to other handlers at the cost of one type check.
/// </summary>
internal sealed class VezaManagementAuthorizationHandler(IServiceProvider services) : IAuthorizationHandler
{
    public Task HandleAsync(AuthorizationHandlerContext context)
        => context.Resource is ApiKeyRecord or OAuthClientRecord ? HandleCredentialAsync(context) : Task.CompletedTask;

    private async Task HandleCredentialAsync(AuthorizationHandlerContext context)
    {
        if (!context.PendingRequirements.Contains(VezaManageRequirement.Instance))
        {
            return;
        }

        var caller = await services.GetRequiredService<VezaCallerFactory>().FromPrincipalAsync(context.User, CancellationToken.None).ConfigureAwait(false);
        var allowed = caller is not null && context.Resource switch
        {
            ApiKeyRecord key => ApiKeyService.AuthorityOver(caller, key) != ApiKeyAuthority.None,
            OAuthClientRecord client => OAuthClientService.MayManage(caller, client),
            _ => false,
        };
        if (allowed)
        {
            context.Succeed(VezaManageRequirement.Instance);
        }
    }
}
