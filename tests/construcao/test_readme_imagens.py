"""As imagens que o README mostra existem no repositório e são pequenas (um clone não cresce
por causa delas). Rápido: só lê o README e os ficheiros."""

from __future__ import annotations

import re
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[2]
# Limite de cada imagem: as capturas do JupyterLab, reduzidas com o Pillow (paleta de 256 cores,
# ~1000 px de largura), ficam entre 30 e 110 KB; 150 KB deixa margem sem deixar passar uma
# captura inteira por reduzir (1400x900 a cores: 130-300 KB).
MAXIMO = 150 * 1024


def _imagens_do_readme() -> list[str]:
    texto = (RAIZ / "README.md").read_text(encoding="utf-8")
    return re.findall(r"!\[[^\]]*\]\(([^)\s]+)", texto)


def test_o_readme_mostra_imagens():
    assert any(c.startswith("docs/imagens/turma/") for c in _imagens_do_readme())


def test_cada_imagem_do_readme_existe_e_e_pequena():
    em_falta, grandes = [], []
    for caminho in _imagens_do_readme():
        if re.match(r"[a-z]+://", caminho):
            continue  # imagens de fora (não há; se houver, não se verificam aqui)
        ficheiro = RAIZ / caminho
        if not ficheiro.is_file():
            em_falta.append(caminho)
        elif ficheiro.stat().st_size > MAXIMO:
            grandes.append(f"{caminho} ({ficheiro.stat().st_size // 1024} KB)")
    assert not em_falta, f"o README liga imagens que não existem: {em_falta}"
    assert not grandes, f"imagens acima de {MAXIMO // 1024} KB (reduz com o Pillow): {grandes}"


def test_cada_captura_da_turma_e_usada_no_readme():
    usadas = {RAIZ / c for c in _imagens_do_readme()}
    soltas = [str(p.relative_to(RAIZ)) for p in (RAIZ / "docs" / "imagens" / "turma").glob("*.png") if p not in usadas]
    assert not soltas, f"capturas em docs/imagens/turma/ que o README não mostra: {soltas}"
