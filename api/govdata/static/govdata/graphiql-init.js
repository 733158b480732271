// Starts the vendored GraphiQL on #graphiql; the example query comes from its data-default-query.
(function () {
  var root = document.getElementById("graphiql");
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var fetcher = GraphiQL.createFetcher({
    url: window.location.pathname,
    headers: {"X-CSRFToken": csrf},
  });
  ReactDOM.render(React.createElement(GraphiQL, {fetcher: fetcher, defaultQuery: root.dataset.defaultQuery,
    defaultEditorToolsVisibility: true}), root);
})();
