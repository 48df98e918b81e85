// A real OpenID Connect provider on loopback for the sign-in tests (tests/browser/test_browser_oidc.py):
// oidc-provider with its development login form (any login, any password; the login is the email).
// Usage: node oidc_provider.mjs PORT REDIRECT_URI CLIENT_SECRET NAMES_JSON
import Provider from 'oidc-provider';

const [port, redirectUri, clientSecret, namesJson] = process.argv.slice(2);
const names = JSON.parse(namesJson || '{}');

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: 'comet-playground',
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [redirectUri], // Streamlit's st.logout comes back through its callback
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() { return { sub: id, email: id, email_verified: true, name: names[id] || id }; },
    };
  },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  conformIdTokenClaims: false, // the ID token carries email and name: Streamlit's st.user reads them there
  // the login form is the only step: the consent a person would give is granted here
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // sign out of the provider too, without its "are you sure" page (the person asked, in the app)
      async logoutSource(ctx, form) {
        ctx.body = `<!DOCTYPE html><body onload="document.forms[0].submit()">${
          form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>')}</body>`;
      },
    },
  },
  cookies: { keys: [clientSecret] },
});
provider.listen(Number(port), '127.0.0.1', () => console.log(`ready on ${port}`));
