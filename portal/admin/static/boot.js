// Decap starts only when admin.js has registered the portal's widgets and read the configuration.
window.CMS_MANUAL_INIT = true;
