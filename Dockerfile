# The omov service image: used by docker-compose.yml.
FROM node:24-bookworm-slim AS build
WORKDIR /app
# The whole tree first: `npm ci` builds (the prepare script), the core package included.
COPY . .
RUN npm ci && npm prune --omit=dev

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# glibc's malloc: two arenas, not eight per CPU, so that memory freed after a large open,
# import or close goes back to reuse instead of staying resident (README, MALLOC_ARENA_MAX).
ENV MALLOC_ARENA_MAX=2
COPY --from=build /app /app
USER node
EXPOSE 3000
CMD ["node", "dist/src/cli/main.js", "serve"]
