import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { localeFromSystem, t, type LocaleCode } from '../shared/i18n/index.js';
import { App } from './app/App.js';
import { ErrorBoundary } from './app/ErrorBoundary.js';
import { connectHost } from './host/connect.js';
import './styles.css';

// Until settings arrive, guess from the browser so the first words are already in the right language.
let locale: LocaleCode = localeFromSystem(navigator.language);
const bridge = connectHost({ locale: () => locale });

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');

createRoot(container).render(
  <StrictMode>
    <ErrorBoundary
      words={() => ({
        title: t(locale, 'app.crashed'),
        hint: t(locale, 'app.crashedHint'),
        reload: t(locale, 'app.reload'),
      })}
    >
      <App
        bridge={bridge}
        initialLocale={locale}
        onLocaleChange={(next) => {
          locale = next;
        }}
      />
    </ErrorBoundary>
  </StrictMode>,
);
