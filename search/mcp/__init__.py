"""An MCP (Model Context Protocol) server for AI agents over the site's own search and catalog services.

``server`` builds it (the tools and their argument checks), ``services`` does each tool's work,
``adapters`` reads previews and citations, ``schemas`` types the answers, ``http`` serves it at ``/mcp``;
``manage.py mcp_stdio`` serves it over stdio.
"""
