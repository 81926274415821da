// /docs: start Swagger UI (vendored, static/vendor/swagger-ui) on the app's own OpenAPI.
// A request from "Try it out" carries the page's CSRF token (cookie sessions need it);
// one with an Authorization header (an API token) needs none.
(function () {
  const meta = document.querySelector('meta[name=csrf-token]');
  const token = meta ? meta.content : '';
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    layout: 'BaseLayout',
    deepLinking: true,
    showExtensions: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    requestInterceptor: function (req) {
      const method = (req.method || 'GET').toUpperCase();
      const bearer = req.headers && (req.headers.Authorization || req.headers.authorization);
      if (!['GET', 'HEAD', 'OPTIONS'].includes(method) && !bearer && token) {
        req.headers['X-CSRF-Token'] = token;
      }
      return req;
    },
  });
})();
